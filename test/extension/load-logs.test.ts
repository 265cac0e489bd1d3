// Load logs in the extension's storage: a fresh name per load, the newest LOAD_LOGS_KEPT kept, nothing else touched.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LOAD_LOGS_KEPT, newLoadLogPath } from '../../src/extension/load-logs';

describe('load logs in global storage', () => {
  let storage: string;
  beforeEach(() => { storage = mkdtempSync(path.join(os.tmpdir(), 'xdpmeta-storage-')); });
  afterEach(() => rmSync(storage, { recursive: true, force: true }));

  it('names a new file under <storage>/load-logs (private folder), never an existing one', () => {
    const a = newLoadLogPath(storage, 'my prog.bpf.c', 1000);
    assert.equal(path.dirname(a), path.join(storage, 'load-logs'));
    assert.equal(path.basename(a), 'my_prog-1000.verifier.log');
    assert.equal(statSync(path.dirname(a)).mode & 0o077, 0);
    writeFileSync(a, 'log');
    assert.equal(path.basename(newLoadLogPath(storage, 'my prog.bpf.c', 1000)), 'my_prog-1000-1.verifier.log');
  });

  it(`keeps the newest ${LOAD_LOGS_KEPT} logs and leaves other files alone`, () => {
    const dir = path.join(storage, 'load-logs');
    for (let i = 0; i < LOAD_LOGS_KEPT + 5; i++) {
      const f = newLoadLogPath(storage, 'p.bpf.c', i);
      writeFileSync(f, 'log');
      utimesSync(f, i, i);
    }
    writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    newLoadLogPath(storage, 'p.bpf.c', 99);
    const left = readdirSync(dir).sort();
    assert.equal(left.filter((n) => n.endsWith('.verifier.log')).length, LOAD_LOGS_KEPT - 1);
    assert.ok(left.includes('notes.txt'));
    assert.ok(left.includes(`p-${LOAD_LOGS_KEPT + 4}.verifier.log`), 'the newest stays');
    assert.ok(!left.includes('p-0.verifier.log'), 'the oldest went');
  });
});
