// Coalesces captured rows into a few messages a second for the live webview, capping what one message carries.
//
// The capture may deliver 100k rows/s; the view shows the newest rows only. So each flush forwards at
// most `maxPerFlush` rows (the newest) and sends the rest as per-verdict counts, which keeps the
// counters and the rate exact while postMessage stays small.

export interface BatchRow {
  verdict: string;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class RowBatcher<T extends BatchRow> {
  private pending: T[] = [];
  private skipped: Record<string, number> = {};
  private skippedAny = false;
  private timer: unknown;
  private disposed = false;

  constructor(
    private readonly send: (rows: T[], skipped: Record<string, number> | undefined) => void,
    readonly maxPerFlush = 5000,
    readonly intervalMs = 100,
    private readonly timers: Timers = realTimers,
  ) {}

  push(rows: readonly T[]): void {
    if (this.disposed || rows.length === 0) return;
    for (const r of rows) this.pending.push(r);
    // Keep memory bounded between flushes: fold the oldest rows into counts right away.
    if (this.pending.length > 2 * this.maxPerFlush) this.fold(this.pending.length - this.maxPerFlush);
    this.timer ??= this.timers.setTimeout(() => this.flush(), this.intervalMs);
  }

  private fold(n: number): void {
    for (let i = 0; i < n; i++) {
      const v = this.pending[i].verdict;
      this.skipped[v] = (this.skipped[v] ?? 0) + 1;
    }
    this.skippedAny = true;
    this.pending = this.pending.slice(n);
  }

  /** Sends what is pending now. */
  flush(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    if (this.pending.length > this.maxPerFlush) this.fold(this.pending.length - this.maxPerFlush);
    if (this.pending.length === 0 && !this.skippedAny) return;
    const rows = this.pending;
    const skipped = this.skippedAny ? this.skipped : undefined;
    this.pending = [];
    this.skipped = {};
    this.skippedAny = false;
    this.send(rows, skipped);
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.disposed = true;
    this.pending = [];
  }
}
