import * as assert from 'node:assert/strict';
import { RowBatcher, type Timers } from '../../../src/extension/panels/live-batcher';

class FakeTimers implements Timers {
  pending: Array<() => void> = [];
  setTimeout(fn: () => void): unknown {
    this.pending.push(fn);
    return this.pending.length;
  }
  clearTimeout(): void {
    this.pending = [];
  }
  fire(): void {
    const p = this.pending;
    this.pending = [];
    for (const f of p) f();
  }
}

describe('RowBatcher (rows to the live webview)', () => {
  const rows = (n: number, verdict = 'XDP_PASS') => Array.from({ length: n }, () => ({ verdict }));

  it('coalesces batches into one message per interval', () => {
    const t = new FakeTimers();
    const sent: Array<[number, Record<string, number> | undefined]> = [];
    const b = new RowBatcher((r, s) => sent.push([r.length, s]), 5000, 100, t);
    b.push(rows(10));
    b.push(rows(20));
    assert.equal(t.pending.length, 1, 'one timer for both');
    t.fire();
    assert.deepEqual(sent, [[30, undefined]]);
    t.fire();
    assert.equal(sent.length, 1, 'nothing pending: no empty message');
  });

  it('forwards at most maxPerFlush rows (the newest) and counts the rest by verdict', () => {
    const t = new FakeTimers();
    const sent: Array<[Array<{ verdict: string }>, Record<string, number> | undefined]> = [];
    const b = new RowBatcher((r, s) => sent.push([r, s]), 100, 100, t);
    b.push(rows(150, 'XDP_DROP'));
    b.push(rows(100, 'XDP_PASS'));
    b.push(rows(50, 'XDP_TX'));
    t.fire();
    assert.equal(sent.length, 1);
    const [fwd, skipped] = sent[0];
    assert.equal(fwd.length, 100);
    assert.deepEqual([...new Set(fwd.map((r) => r.verdict))], ['XDP_PASS', 'XDP_TX']);
    assert.deepEqual(skipped, { XDP_DROP: 150, XDP_PASS: 50 });
    const total = fwd.length + Object.values(skipped!).reduce((a, n) => a + n, 0);
    assert.equal(total, 300, 'every row is either forwarded or counted');
  });

  it('stops sending after dispose', () => {
    const t = new FakeTimers();
    let n = 0;
    const b = new RowBatcher(() => n++, 10, 100, t);
    b.push(rows(5));
    b.dispose();
    t.fire();
    b.push(rows(5));
    b.flush();
    assert.equal(n, 0);
  });
});
