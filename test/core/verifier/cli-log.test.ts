import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { runCli } from '../../helpers/run-cli';

const LOGS = path.resolve(__dirname, '../../fixtures/verifier/logs');

describe('xdp-meta log', () => {
  it('--json prints the summary with the explanation; exit 1 on a rejection', async () => {
    const r = await runCli(['log', path.join(LOGS, 'meta_no_bounds.l2.log'), '--json']);
    assert.equal(r.code, 1);
    const s = JSON.parse(r.out) as Record<string, unknown> & { error: unknown; explanation: { id: string; fixCode: string } };
    assert.deepEqual(s.error, { message: 'invalid access to packet, off=4 size=4, R1(id=0,off=4,r=0)', insn: 7, file: 'meta_no_bounds.bpf.c', line: 14 });
    for (const k of ['level', 'processed_insns', 'total_states', 'peak_states', 'lines', 'unknown_lines']) assert.ok(k in s, k);
    assert.equal(s.level, 2);
    assert.equal(s.unknown_lines, 0);
    assert.equal(s.explanation.id, 'packet-meta-range');
    assert.match(s.explanation.fixCode, /meta \+ 1/);
  });

  it('prints a human summary with the explanation; exit 0 for a passing log', async () => {
    const bad = await runCli(['log', path.join(LOGS, 'ringbuf_leak.l2.log')]);
    assert.equal(bad.code, 1);
    assert.match(bad.out, /REJECTED \(log level 2/);
    assert.match(bad.out, /Reference not released on every path at ringbuf_leak\.bpf\.c:21/);
    assert.match(bad.out, /Fix: .*bpf_ringbuf_submit/s);
    const good = await runCli(['log', path.join(LOGS, 'subprog_good.l2.log')]);
    assert.equal(good.code, 0);
    assert.match(good.out, /accepted \(log level 2, \d+ lines\)/);
    assert.match(good.out, /stack depth 0\+0\+0/);
  });

  it('reports bad input clearly', async () => {
    const missing = await runCli(['log', '/nonexistent/x.log']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /\/nonexistent\/x\.log: cannot read the verifier log \(ENOENT\)/);
    assert.equal((await runCli(['log'])).code, 2);
    assert.equal((await runCli(['log', 'a', 'b'])).code, 2);
    assert.equal((await runCli(['log', '--bogus'])).code, 2);
    assert.equal((await runCli(['load', '--log-level', '3', 'x.o'])).code, 2);
  });
});
