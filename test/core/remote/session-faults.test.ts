// LiveCapture against a fake agent: rows with the capture reply, malformed rows, a deleted interface, honest summaries.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runSummaryLine } from '../../../src/cli/run-summary';
import { RemoteError } from '../../../src/core/remote/errors';
import { LiveCapture, type LiveRow, type StopSummary } from '../../../src/core/remote/session';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

/** A fake agent; `onCapture` is JS run after the capture request with `req`, `send(obj)` and `reply` (the capture reply) in scope. */
function fakeAgent(dir: string, onCapture: string): string {
  const file = path.join(dir, `fake-agent-${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, `#!${process.execPath}
const line = (o) => JSON.stringify(o) + '\\n';
const send = (o) => process.stdout.write(line(o));
let buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf('\\n')) >= 0) {
    const req = JSON.parse(buf.slice(0, nl)); buf = buf.slice(nl + 1);
    const ok = (o = {}) => send({ id: req.id, ok: true, ...o });
    switch (req.op) {
      case 'hello': ok({ version: 2, agent: 'fake', arch: 'x86_64', kernel: 'k', libbpf: '1.1', pid: process.pid, heartbeat: req.heartbeat }); break;
      case 'probe': ok({ kernel: 'k', interfaces: [{ name: 'fake0', ifindex: 7 }], ssh_ifindex: 0 }); break;
      case 'load': ok({ prog: 1, name: 'xdp_meta_magic', type: 'xdp', dev_bound: false, log: '', capture: req.capture }); break;
      case 'attach': ok({ link: 2, ifindex: 7, kernel_link_id: 1, mode: req.mode }); break;
      case 'capture': {
        const reply = line({ id: req.id, ok: true, capture: 3, mechanism: 'freplace-dispatcher', hook: 'xdp', meta_max: 64, snap: 64, blind_spots: ['x'] });
        ${onCapture}
        break;
      }
      default: ok();
    }
  }
});
process.stdin.on('end', () => process.exit(0));
`);
  chmodSync(file, 0o755);
  return file;
}

const row = (i: number) => [1_700_000_000_000_000 + i, 7, 0, 2, 60, 8, '42eeffc03c000000', '00'];

describe('core/remote/session: faults from the agent', function () {
  this.timeout(60_000);
  let dir: string;
  let obj: string;
  let saved: string | undefined;

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    dir = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-session-faults-'));
    obj = buildBpfObject('remote/meta_magic.bpf.c', { args: ['-I/usr/include/x86_64-linux-gnu'] });
    saved = process.env.XDP_META_AGENT;
  });
  after(() => {
    if (saved === undefined) delete process.env.XDP_META_AGENT;
    else process.env.XDP_META_AGENT = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (onCapture: string) => {
    process.env.XDP_META_AGENT = fakeAgent(dir, onCapture);
    return LiveCapture.start({ target: { kind: 'local', sudo: 'never' }, dev: 'fake0', input: obj });
  };

  it('rows in the same chunk as the capture reply are all delivered', async () => {
    const s = await start(`process.stdout.write(reply + line({ ev: 'rows', capture: 3, rows: Array.from({ length: 50 }, (_, i) => ${JSON.stringify(row(0))}.map((v, k) => k === 0 ? v + i : v)) }));`);
    const rows: LiveRow[] = [];
    s.on('rows', (b) => rows.push(...b));
    await new Promise((r) => setImmediate(r));
    await s.stop();
    assert.equal(rows.length, 50);
    assert.equal(s.rows, 50);
    assert.equal(rows[0]!.fields?.magic, 0xc0ffee42);
  });

  for (const [what, bad] of [['a short row', [1, 2, 3]], ['a string', 'row'], ['null hex', [1, 7, 0, 2, 60, 8, null, '00']],
    ['odd hex', [1, 7, 0, 2, 60, 8, 'abc', '00']]] as const) {
    it(`a malformed row (${what}): a typed protocol error, no TypeError`, async () => {
      const s = await start(`process.stdout.write(reply); setTimeout(() => send({ ev: 'rows', capture: 3, rows: [${JSON.stringify(row(0))}, ${JSON.stringify(bad)}] }), 50);`);
      const end = await new Promise<StopSummary>((r) => s.once('end', r));
      assert.ok(end.error instanceof RemoteError && end.error.kind === 'protocol', String(end.error));
      assert.match(end.error.message, /^localhost: the agent sent a row /);
      await s.stop();
    });
  }

  it('a malformed reply (capture without its number): a typed protocol error', async () => {
    await assert.rejects(start(`send({ id: req.id, ok: true, capture: 'three', blind_spots: null });`), (e: unknown) =>
      e instanceof RemoteError && e.kind === 'protocol' && /the "capture" reply has a missing or malformed "capture"/.test(e.message));
  });

  it('a deleted interface (the agent\'s detached event) ends the session saying so', async () => {
    const s = await start(`process.stdout.write(reply); setTimeout(() => send({ ev: 'detached', link: 2, ifindex: 7, reason: 'interface_gone' }), 50);`);
    const end = await new Promise<StopSummary>((r) => s.once('end', r));
    assert.equal(end.detached, 'interface-gone');
    assert.match(String(end.error?.message), /interface fake0 \(ifindex 7\) went away during the capture: the kernel detached xdp_meta_magic/);
    assert.match(runSummaryLine(0, end, 'localhost'), /the interface went away, so the kernel detached the program/);
  });
});

describe('cli/run-summary', () => {
  const stats = { ev: 'stats' as const, capture: 3, seen: 267, captured: 267, sampled_out: 0, rate_limited: 0, ringbuf_full: 0 };
  it('never claims fewer packets seen than rows received when the counters are not final', () => {
    const line = runSummaryLine(470, { rows: 470, detached: 'connection-lost', heartbeatS: 15, stats: { ...stats, final: false } }, 'box');
    assert.doesNotMatch(line, /of 267 packets seen/);
    assert.match(line, /470 rows printed of at least 470 packets seen/);
    assert.match(line, /counters as of the last update/);
  });
  it('a lost connection is not reported as detached', () => {
    const line = runSummaryLine(3, { rows: 3, detached: 'connection-lost', heartbeatS: 15 }, 'box');
    assert.doesNotMatch(line, /kernel detached/);
    assert.match(line, /connection to box was lost, so whether the program is still attached cannot be known from here: the agent detaches it by itself at most 15 s/);
  });
  it('final counters are printed as they are, with rows cut by --count', () => {
    assert.match(runSummaryLine(3, { rows: 10, detached: 'stopped', stats: { ...stats, final: true } }, 'box'),
      /^3 rows printed \(10 received\) of 267 packets seen; .*; detached$/);
  });
});
