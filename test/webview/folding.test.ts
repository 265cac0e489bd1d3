import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Folding } from '../../webview/verifier-log/folding';

/** The obvious O(n) model: the list of visible rows. */
function naive(total: number, segs: Array<[number, number]>, collapsed: boolean[]): number[] {
  const hidden = new Uint8Array(total);
  segs.forEach(([h, e], k) => {
    if (collapsed[k]) for (let i = h + 1; i < e; i++) hidden[i] = 1;
  });
  const out: number[] = [];
  for (let i = 0; i < total; i++) if (!hidden[i]) out.push(i);
  return out;
}

describe('Folding (collapse explored states)', () => {
  it('folds a segment to its header and maps rows both ways', () => {
    const f = new Folding(20, [2, 6, 10, 15]);
    f.set(0, true);
    assert.equal(f.visibleCount, 17);
    assert.deepEqual([0, 1, 2, 3, 4].map((v) => f.toLine(v)), [0, 1, 2, 6, 7]);
    assert.equal(f.toVisible(4), 2, 'a folded row maps to its header');
    assert.equal(f.toVisible(6), 3);
    f.assign(() => true);
    assert.equal(f.visibleCount, 20 - 3 - 4);
    assert.equal(f.toLine(f.visibleCount - 1), 19);
    assert.equal(f.segmentAt(10), 1);
    assert.equal(f.segmentContaining(12), 1);
    assert.equal(f.segmentContaining(16), -1);
  });

  it('ignores overlapping, empty and out-of-range segments', () => {
    const f = new Folding(10, [1, 5, 3, 8, 6, 7, 8, 12, -1, 2]);
    assert.equal(f.segmentCount, 1);
  });

  it('agrees with the naive model for any segments and any folds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.tuple(fc.nat(300), fc.nat(40), fc.boolean()), { maxLength: 30 }),
        (total, raw) => {
          // Build disjoint segments from sorted starts.
          const segs: Array<[number, number]> = [];
          const coll: boolean[] = [];
          let last = 0;
          for (const [s, len, c] of [...raw].sort((a, b) => a[0] - b[0])) {
            const h = Math.max(s, last);
            const e = Math.min(total, h + 2 + len);
            if (h + 1 >= e || h >= total) continue;
            segs.push([h, e]);
            coll.push(c);
            last = e;
          }
          const f = new Folding(total, segs.flat());
          f.assign((k) => coll[k]);
          const vis = naive(total, segs, coll);
          assert.equal(f.visibleCount, vis.length);
          vis.forEach((line, v) => {
            assert.equal(f.toLine(v), line);
            assert.equal(f.toVisible(line), v);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('folds 100k segments quickly', () => {
    const segs: number[] = [];
    for (let k = 0; k < 100_000; k++) segs.push(k * 20, k * 20 + 20);
    const t0 = Date.now();
    const f = new Folding(2_000_000, segs);
    f.assign((k) => k !== 99_999);
    for (let v = 0; v < f.visibleCount; v += 997) f.toVisible(f.toLine(v));
    assert.equal(f.visibleCount, 99_999 + 20);
    // A guard against quadratic folding (minutes at this size), not a timing: the benchmark measures speed.
    assert.ok(Date.now() - t0 < 10_000, `${Date.now() - t0} ms`);
  });
});
