// Fault suite over a real sshd on 127.0.0.1: cut and killed uploads, damaged copies, host-key options, silent remotes, lost interfaces.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findAgentBinary } from '../../src/core/remote/agent-binary';
import { AgentClient } from '../../src/core/remote/client';
import { AgentError, RemoteError } from '../../src/core/remote/errors';
import { LiveCapture, type StopSummary } from '../../src/core/remote/session';
import { startAgent, type Target } from '../../src/core/remote/transport';
import { AGENT_PROTOCOL_VERSION } from '../../src/core/remote/protocol';
import { runSummaryLine } from '../../src/cli/run-summary';
import { hasClang } from '../helpers/clang';
import { createVethNs, leftovers, waitClean, type VethNs } from '../helpers/netns';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';

const ROOT = path.resolve(__dirname, '../..');

function buildAgent(): boolean {
  try {
    execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

describe('remote faults (sshd on 127.0.0.1)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let target: Extract<Target, { kind: 'ssh' }>;
  let tmp: string;
  let savedAgent: string | undefined;
  let agentFile: string;
  let cached: string;

  before(async function () {
    requirePrereq(this, isRoot, 'root (the test sshd logs in as root)');
    requirePrereq(this, hasSshd(), '/usr/sbin/sshd and the OpenSSH client');
    requirePrereq(this, buildAgent(), 'the agent builds (make -C agent)');
    sshd = await startSshd();
    target = { kind: 'ssh', host: sshd.alias, configFile: sshd.configFile };
    tmp = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-faults-'));
    // An agent of our own content (trailing bytes after the ELF): its cache name is this run's alone.
    agentFile = path.join(tmp, `xdp-meta-agent-${process.pid}`);
    copyFileSync(findAgentBinary().path, agentFile);
    appendFileSync(agentFile, `xdpmeta-faults-${process.pid}-${Date.now()}`);
    chmodSync(agentFile, 0o755);
    savedAgent = process.env.XDP_META_AGENT;
    process.env.XDP_META_AGENT = agentFile;
    cached = path.join(os.homedir(), `.cache/xdp-meta/agent-${findAgentBinary().hash}`);
  });

  after(async () => {
    if (savedAgent === undefined) delete process.env.XDP_META_AGENT;
    else process.env.XDP_META_AGENT = savedAgent;
    if (cached) rmSync(cached, { force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    await sshd?.stop();
  });

  const FIX = path.join(ROOT, 'test/fixtures/remote/meta_magic.bpf.c');
  const PROGS = ['xdp_meta_magic'];

  /** A capture on a veth of our own, with a private TMPDIR (to see what a run leaves in it). */
  async function capture(net: VethNs, t: Target, heartbeatS?: number): Promise<LiveCapture> {
    const s = await LiveCapture.start({ target: t, dev: net.hostIf, input: FIX, heartbeatS });
    s.on('end', () => undefined);
    return s;
  }

  it('a silent remote (sshd session stopped): the agent detaches by itself, and the run does not claim it did', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const net = createVethNs();
    let stopped: number | undefined;
    try {
      const s = await capture(net, target, 3);
      assert.equal(s.client.heartbeatS, 3);
      assert.notDeepEqual(leftovers(net.hostIf, PROGS), [], 'attached before the fault');
      // The sshd process above the agent (its shell's parent) holds this session: stopping it silences the remote end.
      const parent = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]);
      stopped = parent(s.client.hello!.pid);
      while (!/^sshd/.test(readFileSync(`/proc/${stopped}/comm`, 'utf8'))) stopped = parent(stopped);
      const ended = new Promise<StopSummary>((r) => s.once('end', r));
      process.kill(stopped, 'SIGSTOP');
      assert.deepEqual(await waitClean(net.hostIf, PROGS, 20_000), [], 'still attached 20 s into the silence');
      const sum = await ended;
      assert.equal(sum.detached, 'connection-lost');
      const line = runSummaryLine(s.rows, sum, s.info.host);
      assert.doesNotMatch(line, /kernel detached/);
      assert.match(line, /cannot be known from here: the agent detaches it by itself at most 3 s after it last heard from us/);
    } finally {
      if (stopped) {
        try { process.kill(stopped, 'SIGCONT'); } catch { /* gone */ }
      }
      net.destroy();
    }
  });

  it('a deleted interface is noticed: the run ends saying the kernel detached the program', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const net = createVethNs();
    try {
      const s = await capture(net, target);
      const ended = new Promise<StopSummary>((r) => s.once('end', r));
      execFileSync('ip', ['link', 'del', net.hostIf]);
      const sum = await ended;
      assert.equal(sum.detached, 'interface-gone');
      assert.match(String(sum.error?.message), new RegExp(`^${sshd.alias}: interface ${net.hostIf} \\(ifindex \\d+\\) went away during the capture`));
      await s.stop();
    } finally {
      net.destroy();
    }
  });

  it('--local guards the interface carrying this machine\'s SSH session (run inside a namespace of our own)', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const net = createVethNs();
    try {
      const r = spawnSync('ip', ['netns', 'exec', net.ns, 'env', 'SSH_CONNECTION=127.0.0.1 40000 127.0.0.1 22', process.execPath, '--import', 'tsx',
        path.join(ROOT, 'src/cli/main.ts'), 'run', FIX, '--local', '--dev', 'lo', '--mode', 'generic', '--duration', '1'],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
      assert.notEqual(r.status, 0, r.stderr);
      assert.match(r.stderr, /interface lo carries this SSH session \(the route to 127\.0\.0\.1 /);
      assert.match(r.stderr, /--confirm-ssh-interface/);
    } finally {
      net.destroy();
    }
  });

  it('a run leaves no xdp-meta-run-* build folder behind', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const net = createVethNs();
    const savedTmp = process.env.TMPDIR;
    const privateTmp = mkdtempSync(path.join(tmp, 'tmpdir-'));
    process.env.TMPDIR = privateTmp;
    try {
      const s = await capture(net, { kind: 'local' });
      await s.stop();
      await assert.rejects(LiveCapture.start({ target: { kind: 'local' }, dev: 'no-such-if0', input: FIX }),
        (e: unknown) => !(e instanceof AgentError) && /no interface no-such-if0/.test(String(e)));
      assert.deepEqual(readdirSync(privateTmp).filter((f) => f.startsWith('xdp-meta-')), []);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      net.destroy();
    }
  });

  /** An ssh wrapper that does `uploadAction` for the upload command and is plain ssh otherwise. */
  function sshWrapper(name: string, uploadAction: string): string {
    const file = path.join(tmp, name);
    writeFileSync(file, `#!/bin/sh\ncase "$*" in\n*.upload.*) ${uploadAction} ;;\n*) exec /usr/bin/ssh "$@" ;;\nesac\n`);
    chmodSync(file, 0o755);
    return file;
  }

  const connect = async (t: Target, progress: string[] = []) =>
    AgentClient.connect(await startAgent(t, { onProgress: (m) => progress.push(m) }));

  it('a cut upload is never installed: a typed error with the byte count, and the next run uploads it whole', async () => {
    rmSync(cached, { force: true });
    const cut = sshWrapper('ssh-cut', 'head -c 200000 | /usr/bin/ssh "$@"');
    await assert.rejects(connect({ ...target, ssh: cut }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'upload-failed' && e.message.startsWith(`${sshd.alias}: `) &&
      new RegExp(`200000 of ${readFileSync(agentFile).length} bytes arrived`).test(e.message));
    assert.equal(existsSync(cached), false, 'the cut copy was moved into the cache');
    const c = await connect(target);
    await c.close();
    assert.equal(readFileSync(cached).length, readFileSync(agentFile).length);
  });

  it('a damaged cached copy is replaced, never run', async () => {
    mkdirSync(path.dirname(cached), { recursive: true });
    writeFileSync(cached, readFileSync(agentFile).subarray(0, 300_000));
    chmodSync(cached, 0o700);
    const progress: string[] = [];
    const c = await connect(target, progress);
    assert.equal(c.hello?.version, AGENT_PROTOCOL_VERSION);
    await c.close();
    assert.ok(progress.some((m) => /is damaged .*replacing it/.test(m)), progress.join('\n'));
    assert.ok(readFileSync(cached).equals(readFileSync(agentFile)));
  });

  it('a killed ssh during the upload is reported as killed, not as a timeout', async () => {
    rmSync(cached, { force: true });
    const killed = sshWrapper('ssh-killed', 'head -c 1000 >/dev/null; kill -9 $$');
    const t0 = Date.now();
    await assert.rejects(connect({ ...target, ssh: killed }), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'ssh-failed' && /the agent upload: the ssh client was killed \(SIGKILL\)/.test(e.message) &&
      !/within/.test(e.message));
    assert.ok(Date.now() - t0 < 30_000);
    assert.equal(existsSync(cached), false);
  });

  it('host-key options that accept unknown keys are refused as ssh itself reads them (ssh -G)', async () => {
    for (const o of ['StrictHostKeyChecking=false', 'StrictHostKeyChecking=accept-new', 'StrictHostKeyChecking no',
      'UserKnownHostsFile=/dev//null', 'userknownhostsfile /dev/./null']) {
      await assert.rejects(connect({ ...target, options: [o] }), (e: unknown) =>
        e instanceof RemoteError && e.kind === 'host-key-option' && /never turns off host key checking/.test(e.message), o);
    }
    const c = await connect({ ...target, options: ['StrictHostKeyChecking=yes'] });
    await c.close();
  });

  it('prefers a root-owned, hash-checked install; a group-writable one is not used', async () => {
    const dir = mkdtempSync(path.join(tmp, 'system-'));
    chmodSync(dir, 0o755);
    const installed = path.join(dir, `agent-${findAgentBinary().hash}`);
    copyFileSync(agentFile, installed);
    chmodSync(installed, 0o755);
    const progress: string[] = [];
    const c = await connect({ ...target, systemAgentDir: dir }, progress);
    await c.close();
    assert.ok(progress.some((m) => m.includes(`using the root-owned agent ${sshd.alias}:${installed}`)), progress.join('\n'));
    chmodSync(installed, 0o775);
    const progress2: string[] = [];
    const c2 = await connect({ ...target, systemAgentDir: dir }, progress2);
    await c2.close();
    assert.ok(!progress2.some((m) => /root-owned/.test(m)), progress2.join('\n'));
  });
});
