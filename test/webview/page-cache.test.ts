import * as assert from 'node:assert/strict';
import { PageCache } from '../../webview/shared/page-cache';

describe('PageCache (the webview side of the paging protocol)', () => {
  const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('asks once for each missing page covering a range, clamped to the log', () => {
    const c = new PageCache<number>(100, 8, 250);
    const r = c.request(-5, 1000, 0);
    assert.deepEqual(r.map((x) => [x.page, x.from, x.to]), [[0, 0, 100], [1, 100, 200], [2, 200, 250]]);
    assert.deepEqual(c.request(0, 250, 1), [], 'in flight: not asked again');
    assert.equal(new Set(r.map((x) => x.reqId)).size, 3);
  });

  it('stores replies, ignores stale or unasked ones, and asks again after the retry time', () => {
    const c = new PageCache<number>(100, 8, 1000, 5000);
    const [a] = c.request(0, 10, 0);
    assert.equal(c.put(a.reqId + 99, 0, rows(0, 100)), false, 'unknown request id');
    assert.equal(c.put(a.reqId, 100, rows(100, 200)), false, 'wrong page');
    assert.equal(c.get(5), undefined);
    assert.deepEqual(c.request(0, 10, 4999), []);
    const [b] = c.request(0, 10, 5000);
    assert.equal(b.page, 0, 'retried after 5 s');
    assert.equal(c.put(a.reqId, 0, rows(0, 100)), false, 'the superseded reply is dropped');
    assert.equal(c.put(b.reqId, 0, rows(0, 100)), true);
    assert.equal(c.get(5), 5);
    assert.equal(c.put(b.reqId, 0, rows(0, 100)), false, 'a duplicate reply is dropped');
  });

  it('keeps at most maxPages, forgetting the least recently used', () => {
    const c = new PageCache<number>(10, 3, 1000);
    for (const p of [0, 1, 2]) {
      const [r] = c.request(p * 10, p * 10 + 1, 0);
      c.put(r.reqId, r.from, rows(r.from, r.to));
    }
    assert.equal(c.get(0), 0); // touch page 0: page 1 is now the oldest
    const [r] = c.request(30, 31, 0);
    c.put(r.reqId, r.from, rows(r.from, r.to));
    assert.equal(c.cachedPages, 3);
    assert.equal(c.has(0), true);
    assert.equal(c.has(10), false);
    assert.equal(c.has(20), true);
    assert.equal(c.has(30), true);
  });

  it('bounds memory for a 2M-row log scrolled end to end', () => {
    const c = new PageCache<number>(256, 64, 2_000_000);
    let asked = 0;
    for (let top = 0; top < 2_000_000; top += 997) {
      for (const r of c.request(top, top + 40, 0)) {
        asked++;
        c.put(r.reqId, r.from, rows(r.from, r.to));
      }
    }
    assert.equal(c.cachedPages, 64);
    assert.ok(asked <= Math.ceil(2_000_000 / 256) + 1, `each page asked once (${asked})`);
  });
});
