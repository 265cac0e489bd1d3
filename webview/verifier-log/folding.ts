// Folding of explored verifier states: maps visible row numbers to log rows when segments are collapsed.
//
// A segment [header, end) is one `from X to Y:` exploration; collapsed, its header stays visible and
// rows header+1 .. end-1 fold away. Segments are disjoint and sorted; lookups are binary searches over
// the collapsed ones, so a log with 100k segments folds and scrolls without a per-row table.

export class Folding {
  private readonly headers: number[] = [];
  private readonly ends: number[] = [];
  private readonly collapsed: Uint8Array;
  // Over the collapsed segments only, in order: header, hidden count, hidden rows before it.
  private cHeader: number[] = [];
  private cHidden: number[] = [];
  private cBefore: number[] = [];
  private hiddenTotal = 0;

  /** `segments` is flat pairs [header, end); overlapping or out-of-range pairs are ignored. */
  constructor(readonly totalRows: number, segments: ArrayLike<number>) {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i + 1 < segments.length; i += 2) pairs.push([segments[i], segments[i + 1]]);
    pairs.sort((a, b) => a[0] - b[0]);
    let lastEnd = -1;
    for (const [h, e] of pairs) {
      if (!(Number.isInteger(h) && Number.isInteger(e)) || h < 0 || e > totalRows || e <= h + 1 || h < lastEnd) continue;
      this.headers.push(h);
      this.ends.push(e);
      lastEnd = e;
    }
    this.collapsed = new Uint8Array(this.headers.length);
  }

  get segmentCount(): number {
    return this.headers.length;
  }

  get visibleCount(): number {
    return this.totalRows - this.hiddenTotal;
  }

  /** Index of the segment whose header is `row`, or -1. */
  segmentAt(row: number): number {
    const k = upperBound(this.headers, row) - 1;
    return k >= 0 && this.headers[k] === row ? k : -1;
  }

  /** Index of the segment containing `row` (header included), or -1. */
  segmentContaining(row: number): number {
    const k = upperBound(this.headers, row) - 1;
    return k >= 0 && row < this.ends[k] ? k : -1;
  }

  segment(k: number): { header: number; end: number; collapsed: boolean } {
    return { header: this.headers[k], end: this.ends[k], collapsed: this.collapsed[k] === 1 };
  }

  isCollapsed(k: number): boolean {
    return this.collapsed[k] === 1;
  }

  /** Collapses (or expands) every segment for which `pick` says so. */
  setAll(collapse: boolean, pick: (k: number) => boolean = () => true): void {
    for (let k = 0; k < this.headers.length; k++) if (pick(k)) this.collapsed[k] = collapse ? 1 : 0;
    this.rebuild();
  }

  /** Sets every segment's flag from `collapse(k)` with one rebuild (a log may have 100k segments). */
  assign(collapse: (k: number) => boolean): void {
    for (let k = 0; k < this.headers.length; k++) this.collapsed[k] = collapse(k) ? 1 : 0;
    this.rebuild();
  }

  set(k: number, collapse: boolean): void {
    if (k < 0 || k >= this.headers.length) return;
    this.collapsed[k] = collapse ? 1 : 0;
    this.rebuild();
  }

  toggle(k: number): void {
    this.set(k, !this.isCollapsed(k));
  }

  private rebuild(): void {
    this.cHeader = [];
    this.cHidden = [];
    this.cBefore = [];
    let before = 0;
    for (let k = 0; k < this.headers.length; k++) {
      if (!this.collapsed[k]) continue;
      const n = this.ends[k] - this.headers[k] - 1;
      this.cHeader.push(this.headers[k]);
      this.cHidden.push(n);
      this.cBefore.push(before);
      before += n;
    }
    this.hiddenTotal = before;
  }

  /** Visible row number → log row. */
  toLine(visible: number): number {
    // Largest collapsed k whose header's visible number is ≤ visible.
    let lo = 0;
    let hi = this.cHeader.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cHeader[mid] - this.cBefore[mid] <= visible) lo = mid + 1;
      else hi = mid;
    }
    const k = lo - 1;
    if (k < 0) return visible;
    const headerVisible = this.cHeader[k] - this.cBefore[k];
    return visible + this.cBefore[k] + (visible > headerVisible ? this.cHidden[k] : 0);
  }

  /** Log row → visible row number; a folded row maps to its segment's header. */
  toVisible(line: number): number {
    const k = upperBound(this.cHeader, line) - 1;
    if (k < 0) return line;
    const h = this.cHeader[k];
    if (line <= h + this.cHidden[k]) return h - this.cBefore[k];
    return line - this.cBefore[k] - this.cHidden[k];
  }
}

/** First index whose value is > x in an ascending array. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
