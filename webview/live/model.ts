// The live view's data: a ring of the newest rows, the filtered view over it, pause, counters and rate.
//
// Counters and the rate see every row (also while paused, and rows the panel skipped); the table
// shows at most `capacity` rows, the newest, that match the filter.
import type { LiveRow } from '../../src/shared/webview-protocol';
import { compileFilter, type RowPredicate } from './filter';
import { Ring } from './ring';
import { RateSeries, VerdictCounters } from './stats';

export class LiveModel {
  readonly ring: Ring<LiveRow>;
  readonly counters = new VerdictCounters();
  readonly rate = new RateSeries(60);
  private pred: RowPredicate = () => true;
  private filterText = '';
  /** Sequence numbers of the matching rows in the ring, oldest first, from `viewHead`. */
  private view: number[] = [];
  private viewHead = 0;
  private pending: LiveRow[] = [];
  private pendingDropped = 0;
  paused = false;

  constructor(readonly capacity: number) {
    this.ring = new Ring<LiveRow>(capacity);
  }

  get filter(): string {
    return this.filterText;
  }

  /** Rows the table shows. */
  get visibleCount(): number {
    return this.view.length - this.viewHead;
  }

  /** Rows held back while paused (and how many of those were dropped for room). */
  get pendingCount(): number {
    return this.pending.length + this.pendingDropped;
  }

  rowAt(i: number): LiveRow | undefined {
    const seq = this.view[this.viewHead + i];
    return seq === undefined ? undefined : this.ring.bySeq(seq);
  }

  add(rows: readonly LiveRow[], skipped?: Record<string, number>, nowMs = Date.now()): void {
    // The rate counts rows as they arrive (the local clock), like the counters: keyed by the host's
    // timestamps, rows arriving late in a burst fell into seconds the plot had already moved past,
    // and the rate read "0 rows/s" while the count kept growing.
    let n = rows.length;
    for (const r of rows) this.counters.add(r.verdict);
    if (skipped) {
      for (const [v, k] of Object.entries(skipped)) {
        this.counters.add(v, k);
        n += k;
      }
    }
    if (n) this.rate.add(nowMs / 1000, n, nowMs);
    if (this.paused) {
      for (const r of rows) this.pending.push(r);
      if (this.pending.length > this.capacity) {
        const extra = this.pending.length - this.capacity;
        this.pending.splice(0, extra);
        this.pendingDropped += extra;
      }
      return;
    }
    for (const r of rows) this.append(r);
  }

  private append(r: LiveRow): void {
    const seq = this.ring.nextSeq;
    this.ring.push(r);
    if (this.pred(r)) this.view.push(seq);
    this.trim();
  }

  /** Drops view entries whose rows left the ring; compacts the array now and then. */
  private trim(): void {
    const first = this.ring.firstSeq;
    while (this.viewHead < this.view.length && this.view[this.viewHead] < first) this.viewHead++;
    if (this.viewHead > 4096 && this.viewHead * 2 > this.view.length) {
      this.view = this.view.slice(this.viewHead);
      this.viewHead = 0;
    }
  }

  setFilter(text: string): void {
    this.filterText = text;
    this.pred = compileFilter(text);
    this.view = [];
    this.viewHead = 0;
    for (let i = 0; i < this.ring.length; i++) if (this.pred(this.ring.at(i)!)) this.view.push(this.ring.firstSeq + i);
  }

  setPaused(p: boolean): void {
    if (this.paused === p) return;
    this.paused = p;
    if (!p) {
      const rows = this.pending;
      this.pending = [];
      this.pendingDropped = 0;
      for (const r of rows) this.append(r);
    }
  }

  clear(): void {
    this.ring.clear();
    this.view = [];
    this.viewHead = 0;
    this.pending = [];
    this.pendingDropped = 0;
    this.counters.reset();
    this.rate.reset();
  }
}
