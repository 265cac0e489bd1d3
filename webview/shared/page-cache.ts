// Row cache of a paged list: which pages to ask the extension for, and which to forget (LRU).
//
// The webview never holds the whole log; it asks for fixed pages of rows around the viewport. A page
// asked for and not answered within `retryMs` is asked for again (the reply can be lost when the
// panel reloads).

export interface PageRequest {
  reqId: number;
  page: number;
  from: number;
  to: number;
}

export class PageCache<T> {
  private readonly pages = new Map<number, T[]>(); // insertion order = LRU order
  private readonly inflight = new Map<number, { reqId: number; at: number }>();
  private nextReqId = 1;

  constructor(
    readonly pageSize: number,
    readonly maxPages: number,
    public totalRows: number,
    readonly retryMs = 5000,
  ) {
    if (!(pageSize > 0 && maxPages > 0)) throw new RangeError('page size and page count must be positive');
  }

  pageOf(row: number): number {
    return Math.floor(row / this.pageSize);
  }

  /** The cached row, or undefined when its page has not arrived. Touches the page (LRU). */
  get(row: number): T | undefined {
    const p = this.pageOf(row);
    const page = this.pages.get(p);
    if (!page) return undefined;
    this.pages.delete(p);
    this.pages.set(p, page);
    return page[row - p * this.pageSize];
  }

  has(row: number): boolean {
    return this.pages.has(this.pageOf(row));
  }

  /** Requests for the pages covering rows [from, to) that are neither cached nor in flight; marks them in flight. */
  request(from: number, to: number, now: number = Date.now()): PageRequest[] {
    const out: PageRequest[] = [];
    const lo = Math.max(0, from);
    const hi = Math.min(this.totalRows, to);
    if (hi <= lo) return out;
    for (let p = this.pageOf(lo); p <= this.pageOf(hi - 1); p++) {
      if (this.pages.has(p)) continue;
      const f = this.inflight.get(p);
      if (f && now - f.at < this.retryMs) continue;
      const reqId = this.nextReqId++;
      this.inflight.set(p, { reqId, at: now });
      out.push({ reqId, page: p, from: p * this.pageSize, to: Math.min(this.totalRows, (p + 1) * this.pageSize) });
    }
    return out;
  }

  /** Stores a reply; returns false for rows nobody asked for (stale or duplicate replies). */
  put(reqId: number, from: number, rows: T[]): boolean {
    const p = this.pageOf(from);
    const f = this.inflight.get(p);
    if (!f || f.reqId !== reqId || from !== p * this.pageSize) return false;
    this.inflight.delete(p);
    this.pages.set(p, rows);
    this.evict();
    return true;
  }

  private evict(): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number;
      this.pages.delete(oldest);
    }
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  clear(totalRows = this.totalRows): void {
    this.pages.clear();
    this.inflight.clear();
    this.totalRows = totalRows;
  }
}
