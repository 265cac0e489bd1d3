// Growable typed-array columns: the parser keeps numbers per line instead of one object per line.

type TypedArray = Uint8Array | Int16Array | Int32Array | Float64Array;
type Ctor<T extends TypedArray> = new (n: number) => T;

export class Column<T extends TypedArray> {
  data: T;
  length = 0;
  constructor(private readonly ctor: Ctor<T>, capacity = 1024) {
    this.data = new ctor(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new this.ctor(this.data.length * 2);
      next.set(this.data as never);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** Shrinks the backing store to the used length (after the last push). */
  trim(): T {
    if (this.data.length !== this.length) this.data = this.data.slice(0, this.length) as T;
    return this.data;
  }
}
