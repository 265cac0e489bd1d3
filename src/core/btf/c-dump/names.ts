// Unique C names for the dump (libbpf's name maps): a second `struct foo` becomes `foo___2`.
import { BTF_KIND, type RawTable } from './raw-table';

const { ENUM, FWD } = BTF_KIND;

/** A declarator name: a JS string, or a BTF string offset (copied as bytes, no string made). */
export type Fname = string | number;

/**
 * Occurrence counts of names keyed by their bytes in the string section (libbpf's name maps), so
 * counting the ~100k names of vmlinux makes no JS strings. Open addressing over string offsets.
 */
export class NameCounter {
  private keys: Int32Array;
  private counts: Int32Array;
  /** Each key's hash, so growing never reads the strings again. */
  private hashes: Int32Array;
  private used = 0;

  /** `expected`: about how many distinct names will be counted (sizes the table so it rarely grows). */
  constructor(private readonly r: RawTable, expected: number) {
    let size = 1024;
    while (size < expected * 2) size <<= 1;
    this.keys = new Int32Array(size).fill(-1);
    this.counts = new Int32Array(size);
    this.hashes = new Int32Array(size);
  }

  private hash(off: number): number {
    const b = this.r.strArr(off);
    let h = 0x811c9dc5;
    for (let i = this.r.pos; b[i] !== 0 && i < b.length; i++) h = Math.imul(h ^ b[i]!, 16777619);
    return h | 0;
  }

  private same(a: number, b: number): boolean {
    if (a === b) return true;
    const x = this.r.strArr(a);
    let i = this.r.pos;
    const y = this.r.strArr(b);
    let j = this.r.pos;
    for (;; i++, j++) {
      const c = x[i];
      if (c !== y[j]) return false;
      if (c === 0 || c === undefined) return true;
    }
  }

  /** Counts one more occurrence of the name at string offset `off`; returns the new count. */
  bump(off: number): number {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    const h = this.hash(off);
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === -1) {
        this.keys[i] = off;
        this.counts[i] = 1;
        this.hashes[i] = h;
        this.used++;
        return 1;
      }
      if (this.hashes[i] === h && this.same(k, off)) return ++this.counts[i]!;
    }
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const oldHashes = this.hashes;
    this.keys = new Int32Array(oldKeys.length * 2).fill(-1);
    this.counts = new Int32Array(oldKeys.length * 2);
    this.hashes = new Int32Array(oldKeys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j]!;
      if (k === -1) continue;
      let i = oldHashes[j]! & mask;
      while (this.keys[i] !== -1) i = (i + 1) & mask;
      this.keys[i] = k;
      this.counts[i] = oldCounts[j]!;
      this.hashes[i] = oldHashes[j]!;
    }
  }
}

/** Per-type name resolution: struct/union/enum tags and typedef/enumerator identifiers are separate namespaces. */
export class TypeNames {
  private readonly nameResolved: Uint8Array;
  private readonly cachedNames: (string | undefined)[];
  private readonly typeNames: NameCounter;
  /** Enumerators share the identifier namespace with typedefs. */
  readonly identNames: NameCounter;
  private readonly names: (string | undefined)[] = [];

  constructor(private readonly r: RawTable) {
    const n = r.btf.count;
    // vmlinux: ~15k struct/union/enum/typedef names and ~20k enumerators per 126k types.
    this.typeNames = new NameCounter(r, n >> 3);
    this.identNames = new NameCounter(r, n >> 3);
    this.nameResolved = new Uint8Array(n);
    this.cachedNames = new Array(n);
  }

  /** The type's own name as a JS string (memoized). */
  name(id: number): string {
    return this.names[id] ?? (this.names[id] = this.r.btf.stringAt(this.r.nameOff[id]!));
  }

  /** The name to print for `id`: its string offset, or `name___N` for the N-th type of that name. */
  private resolveName(id: number, counter: NameCounter): Fname {
    const r = this.r;
    const off = r.nameOff[id]!;
    if (off === 0) return '';
    if (this.nameResolved[id]) return this.cachedNames[id] ?? off;
    this.nameResolved[id] = 1;
    if (r.kind[id] === FWD || (r.kind[id] === ENUM && r.vlen[id] === 0)) return off;
    const dups = counter.bump(off);
    if (dups > 1) this.cachedNames[id] = `${this.name(id)}___${dups}`;
    return this.cachedNames[id] ?? off;
  }

  /** Name of a struct/union/enum/fwd tag. */
  typeName(id: number): Fname {
    return this.resolveName(id, this.typeNames);
  }

  /** Name of a typedef (ordinary identifier namespace). */
  identName(id: number): Fname {
    return this.resolveName(id, this.identNames);
  }
}
