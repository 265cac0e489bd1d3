// The CLI bundle's V8 code cache: a second load uses it, a new kind of run adds to it, a changed bundle or a torn file is a miss.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadWithCodeCache } from '../../src/cli/code-cache';

describe('cli/code-cache', () => {
  let dir: string;
  const saved = process.env.XDP_META_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    process.env.XDP_META_CACHE_DIR = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDP_META_CACHE_DIR;
    else process.env.XDP_META_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  const bundle = (body: string): string => {
    const file = path.join(dir, 'cli-x.js');
    writeFileSync(file, `'use strict';\nconst path = require('node:path');\nexports.where = () => path.basename(__filename) + ' ' + path.basename(__dirname);\n${body}\n`);
    return file;
  };

  it('loads a bundle as require would, then from the cache it leaves', () => {
    const file = bundle('exports.answer = () => 6 * 7;');
    const first = loadWithCodeCache(file, 'check');
    const ex = first.exports as { answer(): number; where(): string };
    assert.equal(ex.answer(), 42);
    assert.equal(ex.where(), `cli-x.js ${path.basename(dir)}`);
    assert.equal(first.hit, false);
    assert.ok(first.save, 'a miss leaves a cache');
    first.save();
    assert.deepEqual(readdirSync(path.join(dir, 'cache')), ['code-cli-x.bin']);
    const second = loadWithCodeCache(file, 'check');
    assert.equal(second.hit, true);
    assert.equal(second.save, undefined, 'nothing to add for a kind of run it has seen');
    assert.equal((second.exports as { answer(): number }).answer(), 42);
    const other = loadWithCodeCache(file, 'btf');
    assert.equal(other.hit, true);
    assert.ok(other.save, 'a new kind of run adds its functions');
    other.save();
    assert.equal(loadWithCodeCache(file, 'btf').save, undefined);
    assert.equal(loadWithCodeCache(file, 'check').save, undefined, 'the kinds seen before are kept');
  });

  it('misses once the bundle changes, or when the cache file is torn or foreign', () => {
    const file = bundle('exports.answer = () => 1;');
    loadWithCodeCache(file, 'check').save!();
    bundle('exports.answer = () => 2;'); // same length: V8's own check would not see the difference
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = loadWithCodeCache(file, 'check');
    assert.equal(changed.hit, false);
    assert.equal((changed.exports as { answer(): number }).answer(), 2);
    changed.save!();
    for (const junk of ['XMCODE1\n', 'XMCODE1\n\xff\xff\xff\xff{', 'something else entirely']) {
      writeFileSync(path.join(dir, 'cache', 'code-cli-x.bin'), junk, 'latin1');
      const r = loadWithCodeCache(file, 'check');
      assert.equal(r.hit, false);
      assert.equal((r.exports as { answer(): number }).answer(), 2);
    }
  });

  it('runs without a cache folder (XDP_META_CACHE_DIR=off)', () => {
    process.env.XDP_META_CACHE_DIR = 'off';
    const file = bundle('exports.answer = () => 3;');
    const r = loadWithCodeCache(file, 'check');
    assert.equal((r.exports as { answer(): number }).answer(), 3);
    r.save?.();
    assert.equal(loadWithCodeCache(file, 'check').hit, false);
  });
});
