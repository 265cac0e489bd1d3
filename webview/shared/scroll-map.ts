// Virtual-scroll math: maps a scroll position to rows when the list is taller than a browser element can be.
//
// Browsers cap an element's height (Chrome ~33,554,428 px, Firefox ~17,895,697 px). A 2M-row log at
// 18 px per row is 36M px, so the scroller's spacer is capped at `maxPx` and the real ("virtual")
// offset is the scroll position scaled by (content - viewport) / (spacer - viewport). Below the cap
// the mapping is the identity, so short lists scroll exactly as native ones do.

/** Spacer cap: well below every browser's limit, and large enough that one scrollbar pixel is a few rows at most. */
export const MAX_SCROLL_PX = 8_000_000;

export interface VisibleRange {
  /** First row (inclusive) to render. */
  first: number;
  /** Row after the last one to render (exclusive). */
  end: number;
  /** Where `first` is drawn, relative to the top of the viewport (≤ 0). */
  offsetPx: number;
}

export class ScrollMap {
  constructor(
    readonly rowHeight: number,
    public rowCount: number,
    public viewportPx: number,
    readonly maxPx: number = MAX_SCROLL_PX,
  ) {
    if (!(rowHeight > 0)) throw new RangeError(`row height must be positive, got ${rowHeight}`);
  }

  /** Height the full list would have. */
  get contentPx(): number {
    return this.rowCount * this.rowHeight;
  }

  /** Height of the scroller's content element (never past the cap). */
  get spacerPx(): number {
    return Math.min(this.contentPx, Math.max(this.maxPx, this.viewportPx));
  }

  /** Largest virtual offset: the last row sits at the bottom of the viewport. */
  get maxVirtual(): number {
    return Math.max(0, this.contentPx - this.viewportPx);
  }

  /** Largest scrollTop the scroller allows. */
  get maxScroll(): number {
    return Math.max(0, this.spacerPx - this.viewportPx);
  }

  /** True when one scroll pixel is more than one content pixel. */
  get scaled(): boolean {
    return this.maxVirtual > this.maxScroll;
  }

  clampVirtual(v: number): number {
    return Math.min(Math.max(0, v), this.maxVirtual);
  }

  /** scrollTop → virtual offset. */
  toVirtual(scrollTop: number): number {
    const ms = this.maxScroll;
    if (ms <= 0) return 0;
    const s = Math.min(Math.max(0, scrollTop), ms);
    if (!this.scaled) return s;
    return (s / ms) * this.maxVirtual;
  }

  /** Virtual offset → scrollTop. */
  toScroll(virtual: number): number {
    const mv = this.maxVirtual;
    if (mv <= 0) return 0;
    const v = this.clampVirtual(virtual);
    if (!this.scaled) return v;
    return (v / mv) * this.maxScroll;
  }

  /** Row under a virtual offset (the row at the top of the viewport). */
  rowAt(virtual: number): number {
    if (this.rowCount === 0) return 0;
    return Math.min(this.rowCount - 1, Math.floor(this.clampVirtual(virtual) / this.rowHeight));
  }

  /** Rows to render for a virtual offset, with `overscan` extra rows below. */
  visibleRange(virtual: number, overscan = 2): VisibleRange {
    const v = this.clampVirtual(virtual);
    const first = this.rowCount === 0 ? 0 : Math.min(this.rowCount - 1, Math.floor(v / this.rowHeight));
    const n = Math.ceil(this.viewportPx / this.rowHeight) + 1 + overscan;
    return { first, end: Math.min(this.rowCount, first + n), offsetPx: first * this.rowHeight - v };
  }

  /** Virtual offset that puts `row` at the top (clamped at the end of the list). */
  virtualForRow(row: number): number {
    return this.clampVirtual(row * this.rowHeight);
  }

  /** Smallest change of `virtual` that brings `row` fully into view (centred when it is far away). */
  reveal(virtual: number, row: number, center = true): number {
    const top = row * this.rowHeight;
    const v = this.clampVirtual(virtual);
    if (top >= v && top + this.rowHeight <= v + this.viewportPx) return v;
    if (center) return this.clampVirtual(top - (this.viewportPx - this.rowHeight) / 2);
    return top < v ? this.clampVirtual(top) : this.clampVirtual(top + this.rowHeight - this.viewportPx);
  }
}
