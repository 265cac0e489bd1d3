import * as assert from 'node:assert/strict';
import type { LiveRow } from '../../src/shared/webview-protocol';
import { compileFilter } from '../../webview/live/filter';
import { LiveModel } from '../../webview/live/model';
import { Ring } from '../../webview/live/ring';
import { RateSeries, VerdictCounters } from '../../webview/live/stats';

const row = (i: number, ts = 1000 + i / 100, verdict = i % 4 === 0 ? 'XDP_DROP' : 'XDP_PASS'): LiveRow => ({
  ts, ifindex: 3, ifname: 'veth0', queue: i % 2, verdict, meta_len: 8, meta_hex: `${i.toString(16).padStart(8, '0')}00000000`,
  fields: { mark: i, rx_hash: i * 7 },
});

describe('live view model', () => {
  it('Ring keeps the newest `capacity` items with stable sequence numbers', () => {
    const r = new Ring<number>(3);
    for (let i = 0; i < 5; i++) r.push(i);
    assert.equal(r.length, 3);
    assert.equal(r.firstSeq, 2);
    assert.deepEqual([r.at(0), r.at(1), r.at(2), r.at(3)], [2, 3, 4, undefined]);
    assert.equal(r.bySeq(4), 4);
    assert.equal(r.bySeq(1), undefined);
    r.clear();
    assert.equal(r.length, 0);
    assert.equal(r.nextSeq, 5);
    assert.throws(() => new Ring(0), RangeError);
  });

  it('VerdictCounters count and sort by frequency', () => {
    const c = new VerdictCounters();
    c.add('XDP_PASS', 3);
    c.add('XDP_DROP');
    c.add('XDP_TX');
    assert.equal(c.total, 5);
    assert.deepEqual(c.entries(), [['XDP_PASS', 3], ['XDP_DROP', 1], ['XDP_TX', 1]]);
  });

  it('RateSeries buckets by the rows\' seconds, drops stale rows, and falls to zero while idle', () => {
    const r = new RateSeries(5);
    const now = 50_000;
    for (let i = 0; i < 30; i++) r.add(100 + i / 10, 1, now); // 10 rows in each of seconds 100, 101, 102
    r.add(90, 7, now); // older than the window: counted nowhere
    assert.deepEqual(r.series(now), [0, 0, 10, 10, 10]);
    assert.equal(r.current(now), 10);
    assert.deepEqual(r.series(now + 2000), [10, 10, 10, 0, 0], 'two idle seconds later');
    r.add(200, 4, now + 2000);
    assert.deepEqual(r.series(now + 2000), [0, 0, 0, 0, 4], 'a jump past the window clears it');
  });

  it('filter terms: substring, column/field equality, comparison, negation', () => {
    const rows = Array.from({ length: 20 }, (_, i) => row(i));
    const count = (f: string) => rows.filter(compileFilter(f)).length;
    assert.equal(count(''), 20);
    assert.equal(count('drop'), 5);
    assert.equal(count('verdict=drop'), 5);
    assert.equal(count('verdict=XDP_PASS'), 15);
    assert.equal(count('-drop'), 15);
    assert.equal(count('mark>=10 queue=1'), 5);
    assert.equal(count('mark!=3'), 19);
    assert.equal(count('rx_hash<14'), 2);
    assert.equal(count('nosuchfield=1'), 0);
    assert.equal(count('mark>abc'), 0);
    assert.equal(count('veth0'), 20);
  });

  it('LiveModel: ring + filter view, pause holds rows, skipped rows still count, clear resets', () => {
    const m = new LiveModel(10);
    m.add(Array.from({ length: 25 }, (_, i) => row(i)), { XDP_PASS: 100 }, 0);
    assert.equal(m.counters.total, 125);
    assert.equal(m.counters.get('XDP_PASS'), 118);
    assert.equal(m.visibleCount, 10);
    assert.equal(m.rowAt(0)!.fields!.mark, 15);
    m.setFilter('verdict=drop');
    assert.deepEqual(Array.from({ length: m.visibleCount }, (_, i) => m.rowAt(i)!.fields!.mark), [16, 20, 24]);
    m.setPaused(true);
    m.add([row(28), row(29)], undefined, 0);
    assert.equal(m.pendingCount, 2);
    assert.equal(m.visibleCount, 3, 'the table does not move while paused');
    assert.equal(m.counters.total, 127, 'counters do');
    m.setPaused(false);
    assert.equal(m.pendingCount, 0);
    assert.deepEqual(Array.from({ length: m.visibleCount }, (_, i) => m.rowAt(i)!.fields!.mark), [20, 24, 28]);
    m.clear();
    assert.equal(m.visibleCount, 0);
    assert.equal(m.counters.total, 0);
  });

  it('LiveModel: the rate counts rows as they arrive, so a lagging burst never reads 0 rows/s while the count grows', () => {
    const m = new LiveModel(100);
    // Rows stamped with the host's second 1000 keep arriving over three local seconds (the client lags).
    for (let t = 0; t < 3000; t += 100) m.add(Array.from({ length: 10 }, (_, i) => row(i, 1000.5)), { XDP_PASS: 90 }, 5_000_000 + t);
    assert.equal(m.counters.total, 3000);
    assert.equal(m.rate.current(5_003_000), 1000);
    assert.equal(m.rate.series(5_003_000).reduce((a, b) => a + b, 0), 3000, 'the plot adds up to the count');
  });

  it('LiveModel keeps memory bounded at 100k rows/s for a minute', () => {
    const m = new LiveModel(10_000);
    const t0 = Date.now();
    for (let s = 0; s < 60; s++) {
      const batch = Array.from({ length: 2000 }, (_, i) => row(i, 1000 + s + i / 2000));
      m.add(batch, { XDP_PASS: 98_000 }, 0);
    }
    assert.equal(m.counters.total, 6_000_000);
    assert.equal(m.ring.length, 10_000);
    assert.equal(m.visibleCount, 10_000);
    // A guard against per-row growth (minutes at 6M rows), loose enough for a loaded CI machine.
    assert.ok(Date.now() - t0 < 15_000, `${Date.now() - t0} ms`);
  });
});
