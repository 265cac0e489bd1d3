import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { explain } from '../../../src/core/verifier/explain';
import { parseLogFileInWorker, parseLogTextInWorker, type WorkerParseOptions } from '../../../src/core/verifier/parse-in-worker';
import { parseLogFile } from '../../../src/core/verifier/read';
import { isXdpMetaError } from '../../../src/core/util/errors';

const LOGS = path.resolve(__dirname, '../../fixtures/verifier/logs');
// The worker loads the TypeScript entry through tsx, as the bundle (dist/log-worker.js) does without it.
const WORKER: WorkerParseOptions = {
  script: { eval: `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(path.resolve(__dirname, '../../../src/core/verifier/parse-worker.ts'))});` },
};

describe('core/verifier parse in a worker thread', function () {
  this.timeout(120_000);

  it('gives the same model as parsing here: summary, explanation, pages', async () => {
    for (const f of readdirSync(LOGS).filter((x) => x.endsWith('.log')).slice(0, 8)) {
      const file = path.join(LOGS, f);
      const here = await parseLogFile(file);
      const there = await parseLogFileInWorker(file, WORKER);
      assert.deepEqual(there.summary(), here.summary(), f);
      assert.deepEqual(explain(there), explain(here), f);
      assert.deepEqual(there.page(0, 50), here.page(0, 50), f);
      const text = await parseLogTextInWorker(readFileSync(file), f, WORKER);
      assert.deepEqual(text.summary(), here.summary(), f);
      here.close();
      there.close();
    }
  });

  it('hostile input: bounded, and a typed error keeps its words', async () => {
    const tiny = await parseLogTextInWorker(Buffer.from('4294967295: (b7) r0 = 2\n'), 'tiny.log', WORKER);
    assert.equal(tiny.lineCount, 1);
    await assert.rejects(parseLogTextInWorker(Buffer.from('abc\0def\n'), 'bin.log', WORKER),
      (e: unknown) => isXdpMetaError(e) && /NUL byte/.test((e as Error).message));
  });

  it('the calling thread keeps running while a large log is parsed', async () => {
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => `${i}: (07) r3 += 1                        ; R3=scalar(smin=0,smax=${i})`).join('\n'));
    let ticks = 0;
    const t = setInterval(() => { ticks++; }, 5);
    try {
      const log = await parseLogTextInWorker(big, 'big.log', WORKER);
      assert.equal(log.lineCount, 300_000);
    } finally {
      clearInterval(t);
    }
    assert.ok(ticks > 2, `the event loop ticked ${ticks} times during the parse`);
  });
});
