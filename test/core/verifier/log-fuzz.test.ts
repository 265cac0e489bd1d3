// The log reader on hostile input: time and memory bounded by the input's size (short fuzz; `npm run fuzz` runs long).
import { strict as assert } from 'node:assert';
import { parseLogText } from '../../../src/core/verifier/read';
import { exerciseLog } from './log-fuzz-harness';
import { formatFuzzReport, runLogFuzz } from './log-fuzz-run';

const SEED = Number(process.env.XDP_META_FUZZ_SEED ?? 0x10f);

describe('core/verifier log fuzz (bounded time and memory per input)', function () {
  this.timeout(600_000);

  it('a tiny log with a huge instruction index parses in bounded time and memory', () => {
    for (const text of ['4294967295: (b7) r0 = 2\n', '0: (b7) r0 = 2\n2147483647: (b7) r0 = 2\n; x @ a.c:1\n2147483646: (95) exit\n',
      `${'9'.repeat(300)}: (b7) r0 = 2\n`]) {
      const before = process.memoryUsage();
      const t0 = performance.now();
      const log = parseLogText(text);
      exerciseLog(Buffer.from(text));
      const ms = performance.now() - t0;
      const after = process.memoryUsage();
      assert.ok(ms < 5000, `${JSON.stringify(text.slice(0, 40))}: ${ms.toFixed(0)} ms`);
      assert.ok(after.arrayBuffers - before.arrayBuffers < 16 * 2 ** 20, `${JSON.stringify(text.slice(0, 40))}: ${after.arrayBuffers - before.arrayBuffers} bytes of columns`);
      assert.equal(log.lineCount, text.split('\n').length - 1);
    }
  });

  it('a state dump of thousands of entries costs no more per query than a real one (fuzz seed 12345, input 753)', () => {
    const line = `11: (b7) r2 = 0                       ; R2=0${' R1=pkt(r=0)'.repeat(12_000)}`;
    const text = Array(50).fill(line).join('\n') + '\n';
    const t0 = performance.now();
    exerciseLog(Buffer.from(text));
    const log = parseLogText(text);
    assert.ok(log.printedState(0).length <= 256);
    const ms = performance.now() - t0;
    assert.ok(ms < 20_000, `${ms.toFixed(0)} ms for ${text.length} bytes`);
  });

  it('mutated real logs: only typed errors, no input past 5 s or 512 MiB', async () => {
    const t0 = Date.now();
    const r = await runLogFuzz({ iterations: 250, seed: SEED, timeLimitMs: 5000, rssLimitBytes: 512 * 2 ** 20 });
    console.log(`      log fuzz (seed ${SEED}): ${formatFuzzReport(r, (Date.now() - t0) / 1000)}`);
    assert.equal(r.inputs, 250);
    assert.deepEqual(r.crashes, [], `crashes (replay: XDP_META_FUZZ_SEED=${SEED})`);
    assert.deepEqual(r.hangs, [], 'inputs past the time bound');
    assert.deepEqual(r.memory, [], 'inputs past the memory bound');
  });
});
