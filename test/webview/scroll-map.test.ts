import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_SCROLL_PX, ScrollMap } from '../../webview/shared/scroll-map';

describe('ScrollMap (virtual scroll past the browser height limit)', () => {
  it('is the identity below the cap', () => {
    const m = new ScrollMap(18, 1000, 600);
    assert.equal(m.scaled, false);
    assert.equal(m.spacerPx, 18_000);
    assert.equal(m.toVirtual(1234), 1234);
    assert.equal(m.toScroll(1234), 1234);
    assert.equal(m.rowAt(m.toVirtual(18 * 500)), 500);
  });

  it('caps the spacer for 2M rows (36M px > Chrome 33.5M) and still reaches the first and the last row', () => {
    const m = new ScrollMap(18, 2_000_000, 600);
    assert.equal(m.contentPx, 36_000_000);
    assert.ok(m.scaled);
    assert.equal(m.spacerPx, MAX_SCROLL_PX);
    assert.ok(m.spacerPx < 33_554_428 && m.spacerPx < 17_895_697, 'under Chrome and Firefox limits');
    assert.equal(m.rowAt(m.toVirtual(0)), 0);
    const end = m.visibleRange(m.toVirtual(m.maxScroll), 0);
    assert.equal(end.end, 2_000_000, 'the last row is rendered at the bottom');
    // The last row's bottom edge is exactly at the viewport's bottom.
    const lastTop = end.offsetPx + (2_000_000 - 1 - end.first) * 18;
    assert.equal(lastTop + 18, 600);
    // The middle of the scrollbar is the middle of the log.
    assert.ok(Math.abs(m.rowAt(m.toVirtual(m.maxScroll / 2)) - 1_000_000) < 20);
  });

  it('maps scroll ↔ virtual monotonically and round-trips, for logs up to a billion rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000_000 }),
        fc.integer({ min: 10, max: 40 }),
        fc.integer({ min: 100, max: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, rh, vp, a, b) => {
          const m = new ScrollMap(rh, rows, vp);
          const s1 = a * m.maxScroll;
          const s2 = b * m.maxScroll;
          const v1 = m.toVirtual(s1);
          const v2 = m.toVirtual(s2);
          assert.ok(v1 >= 0 && v1 <= m.maxVirtual);
          if (s1 <= s2) assert.ok(v1 <= v2 + 1e-6);
          assert.ok(Math.abs(m.toScroll(v1) - s1) <= 1e-6 * Math.max(1, m.maxScroll));
          assert.ok(m.spacerPx <= Math.max(MAX_SCROLL_PX, vp));
          const r = m.visibleRange(v1);
          assert.ok(r.first >= 0 && r.first < rows && r.end <= rows && r.offsetPx <= 0 && r.offsetPx > -rh);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reveal scrolls only when the row is out of view, and centres it', () => {
    const m = new ScrollMap(20, 100_000, 400);
    assert.equal(m.reveal(1000, 55), 1000, 'row 55 (1100 px) is in view at 1000');
    const v = m.reveal(0, 50_000);
    assert.equal(m.rowAt(v + 200), 50_000);
    assert.equal(m.reveal(0, 99_999), m.maxVirtual);
    assert.equal(m.reveal(5000, 0, false), 0);
  });

  it('handles an empty list and a viewport taller than the list', () => {
    const m = new ScrollMap(18, 0, 600);
    assert.equal(m.maxScroll, 0);
    assert.equal(m.toVirtual(100), 0);
    assert.deepEqual(m.visibleRange(0), { first: 0, end: 0, offsetPx: 0 });
    const n = new ScrollMap(18, 5, 600);
    assert.deepEqual(n.visibleRange(0), { first: 0, end: 5, offsetPx: 0 });
    assert.throws(() => new ScrollMap(0, 5, 600), RangeError);
  });
});
