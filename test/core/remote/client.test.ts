// Unit tests of the agent client against fake agents: correlation, events, error replies, garbage, timeouts, death.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AgentClient } from '../../../src/core/remote/client';
import { AgentError, RemoteError } from '../../../src/core/remote/errors';
import type { RowsEvent } from '../../../src/core/remote/protocol';
import { spawnAgentProcess } from '../../../src/core/remote/transport';

/** A fake agent: `body` is JS run per request line with `req` and `send(obj)` in scope. */
function fake(body: string) {
  const script = `
    const send = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
    let buf = '';
    process.stdin.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\\n')) >= 0) {
        const req = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1);
        if (req.op === 'hello') { send({ id: req.id, ok: true, version: 2, agent: 'fake', arch: 'x86_64', kernel: 'k', libbpf: '1.1', pid: process.pid }); continue; }
        if (req.op === 'bye') { send({ id: req.id, ok: true }); continue; }
        ${body}
      }
    });
    process.stdin.on('end', () => process.exit(0));`;
  return spawnAgentProcess(process.execPath, ['-e', script], 'fakehost');
}

describe('core/remote/client', () => {
  it('correlates replies by id even out of order, and streams row events', async () => {
    const c = await AgentClient.connect(fake(`
      if (req.op === 'probe') setTimeout(() => send({ id: req.id, ok: true, kernel: 'slow', interfaces: [] }), 50);
      if (req.op === 'detach') { send({ ev: 'rows', capture: 7, rows: [[1, 2, 3, 2, 60, 4, 'deadbeef', '00']] }); send({ id: req.id, ok: true }); }`));
    const rows: RowsEvent[] = [];
    c.on('rows', (r) => rows.push(r));
    const [p, d] = await Promise.all([c.request({ op: 'probe' }), c.request({ op: 'detach', link: 1 })]);
    assert.equal((p as { kernel: string }).kernel, 'slow');
    assert.deepEqual(d, {});
    assert.equal(rows.length, 1);
    assert.equal(rows[0].rows[0][6], 'deadbeef');
    assert.equal(c.hello?.agent, 'fake');
    await c.close();
  });

  it('splits binary rows frames from JSON lines, even when chunks cut a frame or a line', async () => {
    // A frame of two 33-byte records (1 meta byte, no head), written a byte at a time around a reply.
    const c = await AgentClient.connect(fake(`
      if (req.op === 'detach') {
        const rec = (v) => { const r = Buffer.alloc(33); r.writeUInt16LE(33, 0); r.writeUInt16LE(1, 2); r.writeUInt16LE(1, 4); r[32] = v; return r; };
        const payload = Buffer.concat([Buffer.from([7, 0, 0, 0, 2, 0, 0, 0]), rec(0xaa), rec(0xbb)]);
        const head = Buffer.alloc(5); head[0] = 0x1e; head.writeUInt32LE(payload.length, 1);
        const all = Buffer.concat([head, payload, Buffer.from(JSON.stringify({ id: req.id, ok: true }) + '\\n')]);
        let i = 0; const step = () => { if (i < all.length) { process.stdout.write(all.subarray(i, i + 1)); i++; setImmediate(step); } }; step();
      }`));
    const frames: { capture: number; count: number; records: Buffer }[] = [];
    c.on('frame', (f) => frames.push(f));
    await c.request({ op: 'detach', link: 1 });
    assert.equal(frames.length, 1);
    assert.deepEqual([frames[0].capture, frames[0].count, frames[0].records.length, frames[0].records[32], frames[0].records[65]], [7, 2, 66, 0xaa, 0xbb]);
    await c.close();
  });

  it('a frame with an impossible length is a protocol error, and the agent is stopped', async () => {
    const c = await AgentClient.connect(fake(`if (req.op === 'probe') process.stdout.write(Buffer.from([0x1e, 0xff, 0xff, 0xff, 0x7f]));`));
    await assert.rejects(c.request({ op: 'probe' }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'protocol' && /^fakehost: a rows frame of 2147483647 bytes/.test(e.message));
  });

  it('turns an error reply into an AgentError carrying the verifier log', async () => {
    const c = await AgentClient.connect(fake(`send({ id: req.id, ok: false, error: { code: 'load_failed', message: 'rejected', errno: 13 }, log: '0: (b7) r0 = 0\\ninvalid access' });`));
    await assert.rejects(c.request({ op: 'unload', prog: 1 }), (e: unknown) =>
      e instanceof AgentError && e.code === 'load_failed' && e.log!.includes('invalid access') && e.message === 'fakehost: unload: rejected (EACCES)');
    await c.close();
  });

  it('keeps the kernel\'s errno in the message (EPERM is not dropped)', async () => {
    const c = await AgentClient.connect(fake(`send({ id: req.id, ok: false, error: { code: 'load_failed', message: 'the kernel rejected program p (plain)', errno: 1, strerror: 'Operation not permitted' }, log: '' });`));
    await assert.rejects(c.request({ op: 'load', object: '' }), (e: unknown) =>
      e instanceof AgentError && e.errno === 1 && e.message === 'fakehost: load: the kernel rejected program p (plain) (EPERM: Operation not permitted)');
    await c.close();
  });

  it('an error reply for a request line the agent could not read (id -1, over its limit) is a protocol error', async () => {
    const c = await AgentClient.connect(fake(`send({ id: -1, ok: false, error: { code: 'limit', message: 'request line longer than the limit (64 bytes): discarded' } });`));
    await assert.rejects(c.request({ op: 'probe' }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'protocol' && /refused a request line: .*longer than the limit/.test(e.message));
  });

  it('garbage on stdout: a protocol error naming the host and the line, then teardown', async () => {
    const proc = fake(`console.log('Last login: Mon from 10.0.0.1'); setTimeout(() => send({ id: req.id, ok: true }), 1000);`);
    const c = await AgentClient.connect(proc);
    const fatal = new Promise<RemoteError>((r) => c.once('fatal', r));
    await assert.rejects(c.request({ op: 'probe' }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'protocol' && /^fakehost: .*"Last login: Mon from 10\.0\.0\.1"/.test(e.message));
    assert.equal((await fatal).kind, 'protocol');
    const how = await proc.exited;
    assert.ok(how.signal === 'SIGTERM' || how.code === 0, 'the agent was stopped');
    await assert.rejects(c.request({ op: 'probe' }), RemoteError);
  });

  it('times out a request the agent never answers', async () => {
    const c = await AgentClient.connect(fake(`/* never answers */`));
    await assert.rejects(c.request({ op: 'detach', link: 1 }, 200), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'timeout' && /"detach" within 0.2 s/.test(e.message));
    await c.close();
  });

  it('an agent that dies mid-request rejects it with its stderr', async () => {
    const c = await AgentClient.connect(fake(`process.stderr.write('xdp-meta-agent: out of memory\\n'); process.exit(70);`));
    await assert.rejects(c.request({ op: 'probe' }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'closed' && /exit status 70.*out of memory/.test(e.message));
  });

  it('an agent that cannot start: a clear error instead of a hang', async () => {
    await assert.rejects(AgentClient.connect(spawnAgentProcess('/nonexistent/xdp-meta-agent', [], 'fakehost'), 5000),
      (e: unknown) => e instanceof RemoteError && e.message.startsWith('fakehost: '));
  });

  it('garbage from an agent that ignores SIGTERM: SIGKILL to its whole process group after the grace, nothing outlives it', async function () {
    this.timeout(15_000);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'remote-client-kill-'));
    const pids = path.join(dir, 'pids');
    // Like a login script that ignores TERM and leaves a background job holding the pipes.
    const script = path.join(dir, 'stubborn-agent.sh');
    writeFileSync(script, `#!/bin/sh\ntrap '' TERM\nread -r line\necho "Welcome to Example Linux"\nsleep 30 &\necho $$ $! > ${pids}\nwait\n`, { mode: 0o755 });
    try {
      const proc = spawnAgentProcess(script, [], 'fakehost', { detached: true });
      const t0 = performance.now();
      await assert.rejects(AgentClient.connect(proc, 5000), (e: unknown) => e instanceof RemoteError && e.kind === 'protocol');
      const ms = performance.now() - t0;
      assert.ok(ms >= 1500 && ms < 6000, `connect() returned after the TERM grace and the KILL (${ms.toFixed(0)} ms)`);
      assert.equal((await proc.exited).signal, 'SIGKILL');
      assert.ok(existsSync(pids), 'the fake agent started its background job');
      for (const pid of readFileSync(pids, 'utf8').trim().split(/\s+/).map(Number)) {
        // Gone, or dead and not yet reaped by its new parent (a zombie).
        const state = existsSync(`/proc/${pid}/stat`) ? /\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1] : undefined;
        assert.ok(state === undefined || state === 'Z', `process ${pid} of the agent's group is gone (state ${state})`);
      }
    } finally {
      for (const pid of (existsSync(pids) ? readFileSync(pids, 'utf8') : '').trim().split(/\s+/).filter(Boolean)) {
        try { process.kill(Number(pid), 'SIGKILL'); } catch { /* gone */ }
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill() of a well-behaved agent returns as soon as it exits on SIGTERM', async () => {
    const c = await AgentClient.connect(fake(`/* never answers */`));
    const t0 = performance.now();
    await c.kill();
    assert.ok(performance.now() - t0 < 1500, 'no wait for the grace period');
    assert.ok(c.exited);
  });
});
