// Flat per-id view of BTF wire records (base and split layers) for the C dumper, plus the BTF_KIND_* numbers.
import { XdpMetaError } from '../../util/errors';
import type { BtfModel } from '../model';

/**
 * Wire kind numbers (BTF_KIND_*). Importers copy them into
 * module-level consts (`const { INT, ... } = BTF_KIND`): an imported binding compiles to a property
 * read through the module object, which made the dump's kind switches ~2x slower.
 */
export const BTF_KIND = {
  INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9, CONST: 10, RESTRICT: 11,
  FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17, TYPE_TAG: 18, ENUM64: 19,
} as const;
/** Properties of the BPF target, copied into module-level consts the same way: sizeof(void *). */
export const BPF_TARGET = { PTR_SIZE: 8 } as const;

/** Flat per-id view of every record (base and split layers) over one host-order word array. */
export class RawTable {
  readonly kind: Uint8Array;
  readonly vlen: Uint16Array;
  readonly kflag: Uint8Array;
  readonly nameOff: Uint32Array;
  readonly st: Uint32Array; // size or type
  readonly x: Uint32Array; // index in `words` of the kind-specific data
  readonly words: Uint32Array;

  constructor(readonly btf: BtfModel) {
    const n = btf.count;
    this.kind = new Uint8Array(n);
    this.vlen = new Uint16Array(n);
    this.kflag = new Uint8Array(n);
    this.nameOff = new Uint32Array(n);
    this.st = new Uint32Array(n);
    this.x = new Uint32Array(n);
    const layers: BtfModel[] = [];
    for (let b: BtfModel | undefined = btf; b; b = b.base) layers.unshift(b);
    // Split BTF: concatenate the layers' words so one index reaches any id.
    if (layers.length === 1) this.words = btf.wire.words;
    else {
      this.words = new Uint32Array(layers.reduce((n, m) => n + m.wire.words.length, 0));
      let at = 0;
      for (const m of layers) { this.words.set(m.wire.words, at); at += m.wire.words.length; }
    }
    const W = this.words;
    let baseWord = 0;
    for (const m of layers) {
      const w = m.wire;
      for (let i = 0; i < w.length; i++) {
        const id = w.startId + i;
        const q = baseWord + w.wordIdx[i]!;
        const info = W[q + 1]!;
        this.nameOff[id] = W[q]!;
        this.kind[id] = (info >>> 24) & 0x1f;
        this.vlen[id] = info & 0xffff;
        this.kflag[id] = info >>> 31;
        this.st[id] = W[q + 2]!;
        this.x[id] = q + 3;
      }
      baseWord += w.words.length;
    }
  }

  /** u32 at byte `off` (a multiple of 4) of the kind data of `id`. */
  u32(id: number, off: number): number {
    return this.words[this.x[id]! + (off >> 2)]!;
  }

  i32(id: number, off: number): number {
    return this.words[this.x[id]! + (off >> 2)]! | 0;
  }

  /** Position of BTF string offset `off` inside the string section returned by `strArr` (set by it). */
  pos = 0;

  /** The string section bytes holding BTF string offset `off`; the position in them is left in `pos`. */
  strArr(off: number): Uint8Array {
    // Fast path: the dumped BTF's own strings (all of them for vmlinux); called for every name written.
    const own = this.btf.wire;
    if (off >= own.stringsBase && off - own.stringsBase < own.strings.length) {
      this.pos = off - own.stringsBase;
      return own.strings;
    }
    let m: BtfModel = this.btf;
    while (off < m.wire.stringsBase) m = m.base!;
    const pos = off - m.wire.stringsBase;
    if (pos >= m.wire.strings.length) throw new XdpMetaError(`${this.btf.source}: string offset ${off} beyond the string section`);
    this.pos = pos;
    return m.wire.strings;
  }

  /** Type id a member/param/secinfo/array/ref points to, checked against the id range. */
  ref(id: number, t: number): number {
    if (t >= this.kind.length) throw new XdpMetaError(`${this.btf.source}: type [${id}] refers to type id ${t} beyond ${this.kind.length - 1}`);
    return t;
  }
}
