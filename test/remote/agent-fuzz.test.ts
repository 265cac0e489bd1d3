// The agent under ASAN/UBSan fed mutated protocol lines (a short run; `npm run fuzz agent-protocol` runs the long one).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ASAN_AGENT, buildAsanAgent, formatFuzzResult, runAgentFuzz } from '../helpers/agent-fuzz';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { isRoot, requirePrereq } from '../helpers/prereq';

/** Runs the sanitizer agent on `input` (in its own network namespace) and returns its output. */
function agentOn(input: string, args: string[] = []): { code: number | null; out: string; err: string } {
  const r = spawnSync('unshare', ['--net', ASAN_AGENT, ...args], { input, encoding: 'utf8', env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('agent under ASAN/UBSan: mutated protocol lines', function () {
  this.timeout(300_000);

  before(function () {
    requirePrereq(this, isRoot, 'root (unshare --net, BPF loads)');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, buildAsanAgent(), 'the sanitizer agent builds (make -C agent asan: gcc with libasan/libubsan)');
  });

  it('a line ending in a lone \\u at the 4 KiB buffer boundary: a typed error, no read past the buffer', () => {
    for (const tail of ['\\u', '\\u0', '\\u00a', '\\']) {
      // 4094 bytes, the newline and the buffer's NUL fill the agent's first 4 KiB buffer exactly; nothing follows.
      const line = `{"id":1,"op":"probe","x":"${'a'.repeat(4096)}`.slice(0, 4094 - tail.length) + tail;
      const r = agentOn(`${line}\n`);
      assert.doesNotMatch(r.err, /AddressSanitizer|runtime error/, r.err.slice(0, 2000));
      assert.equal(r.code, 0, r.err.slice(0, 2000));
      assert.match(r.out, /"ok":false,"error":\{"code":"bad_request","message":"request is not a flat JSON object: bad string"/);
    }
  });

  it('a line longer than the limit: a "limit" protocol error, the rest of it dropped, the next request answered', () => {
    const r = agentOn(`{"id":1,"op":"probe","x":"${'a'.repeat(200_000)}"}\n{"id":2,"op":"ping"}\n`, ['--max-line', '4096']);
    assert.equal(r.code, 0, r.err.slice(0, 2000));
    const lines = r.out.trim().split('\n');
    assert.equal(lines.length, 2, r.out.slice(0, 500));
    assert.match(lines[0]!, /^\{"id":-1,"ok":false,"error":\{"code":"limit","message":"request line .*longer than the limit/);
    assert.equal(lines[1], '{"id":2,"ok":true}');
  });

  it('a load with both "object" and "path": the object is used, nothing freed that the agent did not allocate', () => {
    const obj = readFileSync(buildBpfObject('remote/meta_magic.bpf.c', { args: ['-I/usr/include/x86_64-linux-gnu'] })).toString('base64');
    const r = agentOn(`${JSON.stringify({ id: 1, op: 'load', object: obj, path: '/nonexistent.o', program: 'xdp_meta_magic' })}\n`);
    assert.doesNotMatch(r.err, /AddressSanitizer|runtime error/, r.err.slice(0, 2000));
    assert.equal(r.code, 0, r.err.slice(0, 2000));
    assert.match(r.out, /^\{"id":1,"ok":true/);
  });

  it('300 mutated lines: typed errors only, no sanitizer report, no hang', async () => {
    const t0 = Date.now();
    const res = await runAgentFuzz({ iterations: 300, seed: 16, object: readFileSync(buildBpfObject('remote/meta_magic.bpf.c', { args: ['-I/usr/include/x86_64-linux-gnu'] })), perProcess: 150 });
    console.log(`      ${formatFuzzResult(res, (Date.now() - t0) / 1000)}`);
    assert.deepEqual(res.crashes, []);
    assert.deepEqual(res.hangs, []);
    assert.ok(res.typedErrors > 0);
  });
});
