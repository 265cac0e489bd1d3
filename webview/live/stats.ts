// Verdict counters and the rows-per-second series behind the live view's rate plot.

export class VerdictCounters {
  private readonly counts = new Map<string, number>();
  total = 0;

  add(verdict: string, n = 1): void {
    this.counts.set(verdict, (this.counts.get(verdict) ?? 0) + n);
    this.total += n;
  }

  get(verdict: string): number {
    return this.counts.get(verdict) ?? 0;
  }

  /** Verdicts seen, most frequent first (ties by name, so the order is stable). */
  entries(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  }

  reset(): void {
    this.counts.clear();
    this.total = 0;
  }
}

/**
 * Rows per second over the last `buckets` seconds, keyed by the time given (the live view passes the
 * arrival time). "Now" is the newest timestamp seen, advanced by local time while no rows come, so an idle
 * capture shows the rate falling to zero; rows older than the window are counted nowhere.
 */
export class RateSeries {
  private readonly counts: Float64Array;
  /** Second (floor of ts) of the newest bucket. */
  private newest = -Infinity;
  /** Local time (ms) when `newest` was last advanced by data. */
  private localAt = 0;

  constructor(readonly buckets = 60) {
    this.counts = new Float64Array(buckets);
  }

  /** Counts `n` rows at `ts` (seconds); `nowMs` is the local clock. */
  add(ts: number, n = 1, nowMs = Date.now()): void {
    const sec = Math.floor(ts);
    if (!Number.isFinite(sec)) return;
    if (sec > this.newest) {
      this.advanceTo(sec);
      this.localAt = nowMs;
    }
    const age = this.newest - sec;
    if (age >= this.buckets) return;
    this.counts[(((sec % this.buckets) + this.buckets) % this.buckets)] += n;
  }

  private advanceTo(sec: number): void {
    if (this.newest === -Infinity || sec - this.newest >= this.buckets) this.counts.fill(0);
    else for (let s = this.newest + 1; s <= sec; s++) this.counts[((s % this.buckets) + this.buckets) % this.buckets] = 0;
    this.newest = sec;
  }

  /** Oldest to newest, `buckets` values; the clock moves on with local time while no rows arrive. */
  series(nowMs = Date.now()): number[] {
    if (this.newest === -Infinity) return new Array<number>(this.buckets).fill(0);
    const idle = Math.floor((nowMs - this.localAt) / 1000);
    if (idle > 0) {
      this.advanceTo(this.newest + idle);
      this.localAt += idle * 1000;
    }
    const out = new Array<number>(this.buckets);
    for (let i = 0; i < this.buckets; i++) {
      const s = this.newest - (this.buckets - 1 - i);
      out[i] = this.counts[((s % this.buckets) + this.buckets) % this.buckets];
    }
    return out;
  }

  /** Rows in the newest complete second. */
  current(nowMs = Date.now()): number {
    const s = this.series(nowMs);
    return s[s.length - 2] ?? 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.newest = -Infinity;
    this.localAt = 0;
  }
}
