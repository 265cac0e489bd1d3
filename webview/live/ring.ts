// Fixed-capacity ring buffer of rows with sequence numbers, so views can refer to rows that may be evicted.

export class Ring<T> {
  private readonly buf: (T | undefined)[];
  private head = 0; // index of the oldest item
  private size = 0;
  /** Sequence number of the oldest item held; items are numbered from 0 in push order. */
  private first = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity > 0)) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.buf = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  get firstSeq(): number {
    return this.first;
  }

  /** Sequence number the next push gets. */
  get nextSeq(): number {
    return this.first + this.size;
  }

  /** Appends; returns how many items were evicted (0 or 1). */
  push(item: T): number {
    if (this.size < this.capacity) {
      this.buf[(this.head + this.size) % this.capacity] = item;
      this.size++;
      return 0;
    }
    this.buf[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    this.first++;
    return 1;
  }

  /** The i-th oldest item held (0 = oldest). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.buf[(this.head + i) % this.capacity];
  }

  /** The item with sequence number `seq`, if still held. */
  bySeq(seq: number): T | undefined {
    return this.at(seq - this.first);
  }

  clear(): void {
    this.buf.fill(undefined);
    this.first += this.size;
    this.head = 0;
    this.size = 0;
  }
}
