// A virtualised list element: renders only the rows in view and scrolls past the browser's height limit.
//
// DOM: a scroller whose content is a sticky layer (the viewport, where rows are drawn) followed by a
// spacer. The real position is kept as a virtual offset (ScrollMap); when the list is scaled, wheel
// and keys move the virtual offset directly so one notch is a few rows however long the list is.
import { ScrollMap } from './scroll-map';
import { el } from './dom';

export interface VirtualListHooks {
  /** Fills `elem` for visible row `index`; `elem` is reused across rows. */
  renderRow(elem: HTMLDivElement, index: number): void;
  /** Called after each render with the visible range [first, end). */
  onRange?(first: number, end: number): void;
}

export class VirtualList {
  readonly root: HTMLDivElement;
  private readonly layer: HTMLDivElement;
  private readonly spacer: HTMLDivElement;
  private readonly map: ScrollMap;
  private virtual = 0;
  private lastScrollTop = 0;
  private readonly pool: HTMLDivElement[] = [];
  private frame = 0;
  /** Keeps the last row in view as rows are added (live view). */
  follow = false;
  /** Row last revealed by code: kept in view when the viewport resizes, until the user scrolls. */
  private pinned = -1;

  constructor(rowHeight: number, private readonly hooks: VirtualListHooks) {
    this.root = el('div', 'vlist');
    this.root.tabIndex = 0;
    this.layer = el('div', 'vlist-layer');
    this.spacer = el('div', 'vlist-spacer');
    this.root.append(this.layer, this.spacer);
    this.map = new ScrollMap(rowHeight, 0, 0);
    this.root.addEventListener('scroll', () => this.onScroll());
    this.root.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.root.addEventListener('keydown', (e) => this.onKey(e));
    const ro = new ResizeObserver(() => this.layout());
    ro.observe(this.root);
    ro.observe(this.layer); // its horizontal scrollbar comes and goes with long lines
  }

  get rowHeight(): number {
    return this.map.rowHeight;
  }

  get rowCount(): number {
    return this.map.rowCount;
  }

  /** Visible row at the top of the viewport. */
  get topRow(): number {
    return this.map.rowAt(this.virtual);
  }

  get atEnd(): boolean {
    return this.virtual >= this.map.maxVirtual - 1;
  }

  setRowCount(n: number): void {
    this.map.rowCount = n;
    this.layout();
  }

  /** Height rows can use: the layer's, less its own horizontal scrollbar. */
  private viewportPx(): number {
    return this.layer.clientHeight || this.root.clientHeight;
  }

  private layout(): void {
    this.map.viewportPx = this.viewportPx();
    this.spacer.style.height = `${Math.max(0, this.map.spacerPx - this.map.viewportPx)}px`;
    if (this.follow) this.virtual = this.map.maxVirtual;
    else if (this.pinned >= 0 && this.pinned < this.map.rowCount) this.virtual = this.map.reveal(this.virtual, this.pinned, false);
    this.setVirtual(this.virtual);
  }

  /** Moves to a virtual offset and renders. */
  setVirtual(v: number): void {
    this.virtual = this.map.clampVirtual(v);
    const st = this.map.toScroll(this.virtual);
    if (Math.abs(this.root.scrollTop - st) >= 0.5) this.root.scrollTop = st;
    this.lastScrollTop = this.root.scrollTop;
    this.schedule();
  }

  scrollToRow(row: number, center = true): void {
    this.pinned = -1;
    this.setVirtual(center ? this.map.reveal(this.virtual, row, true) : this.map.virtualForRow(row));
  }

  /** Brings `row` into view only if it is not. */
  reveal(row: number): void {
    this.pinned = row;
    this.setVirtual(this.map.reveal(this.virtual, row, true));
  }

  scrollToEnd(): void {
    this.pinned = -1;
    this.setVirtual(this.map.maxVirtual);
  }

  private onScroll(): void {
    // A resize clamps scrollTop before the ResizeObserver runs: re-layout rather than take it as a drag.
    if (this.viewportPx() !== this.map.viewportPx) {
      this.layout();
      return;
    }
    const st = this.root.scrollTop;
    // Our own assignment echoes back as a scroll event; only a scrollbar drag changes the virtual offset.
    if (Math.abs(st - this.lastScrollTop) < 1) return;
    this.lastScrollTop = st;
    this.pinned = -1;
    this.virtual = this.map.toVirtual(st);
    this.follow = this.atEnd && this.follow;
    this.schedule();
  }

  private onWheel(e: WheelEvent): void {
    if (!this.map.scaled || e.deltaY === 0 || e.shiftKey) return;
    e.preventDefault();
    this.pinned = -1;
    const unit = e.deltaMode === 1 ? this.map.rowHeight : e.deltaMode === 2 ? this.map.viewportPx : 1;
    this.setVirtual(this.virtual + e.deltaY * unit);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.root) return;
    const page = Math.max(this.map.rowHeight, this.map.viewportPx - this.map.rowHeight);
    const moves: Record<string, number> = {
      ArrowDown: this.map.rowHeight,
      ArrowUp: -this.map.rowHeight,
      PageDown: page,
      PageUp: -page,
      ' ': page,
    };
    this.pinned = -1;
    if (e.key === 'Home') this.setVirtual(0);
    else if (e.key === 'End') this.scrollToEnd();
    else if (moves[e.key] !== undefined) this.setVirtual(this.virtual + moves[e.key]);
    else return;
    e.preventDefault();
  }

  /** Renders on the next animation frame (coalesces bursts of scroll events and replies). */
  schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render(): void {
    const r = this.map.visibleRange(this.virtual);
    const n = r.end - r.first;
    while (this.pool.length < n) {
      const row = el('div', 'vrow');
      this.pool.push(row);
      this.layer.append(row);
    }
    for (let i = 0; i < this.pool.length; i++) {
      const row = this.pool[i];
      if (i >= n) {
        row.hidden = true;
        continue;
      }
      row.hidden = false;
      row.style.transform = `translateY(${r.offsetPx + i * this.map.rowHeight}px)`;
      this.hooks.renderRow(row, r.first + i);
    }
    this.hooks.onRange?.(r.first, r.end);
  }
}

/** Row height from the editor font the theme sets (a probe row measured once). */
export function measureRowHeight(): number {
  const probe = el('div', 'vrow probe', 'Xg');
  document.body.append(probe);
  const h = Math.max(14, Math.ceil(probe.getBoundingClientRect().height));
  probe.remove();
  return h;
}
