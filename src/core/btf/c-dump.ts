// BTF -> compilable C header (vmlinux.h), with the output of `bpftool btf dump file X format c` (libbpf btf_dump semantics).
//
// Two passes per root type, as libbpf does: a topological ordering in which "strong" links (a type
// embedded by value, or reached through an anonymous type that must be defined inline) force full
// definitions first while "weak" links (through a pointer to a named type) only need a forward
// declaration; then emission in C syntax. Works straight on the wire records (no type objects),
// so dumping all of vmlinux allocates little more than the output text.
import { XdpMetaError } from '../util/errors';
import { BtfModel } from './model';
import type { Btf } from './types';

// Wire kind numbers (BTF_KIND_*).
const INT = 1, PTR = 2, ARRAY = 3, STRUCT = 4, UNION = 5, ENUM = 6, FWD = 7, TYPEDEF = 8, VOLATILE = 9,
  CONST = 10, RESTRICT = 11, FUNC = 12, FUNC_PROTO = 13, VAR = 14, DATASEC = 15, FLOAT = 16, DECL_TAG = 17,
  TYPE_TAG = 18, ENUM64 = 19;

const PTR_SIZE = 8;
const MAX_OUTPUT = 64 << 20;
/** Padding filler types, widest first (libbpf's choice of `long`/`int`/`short`/`char` bitfields). */
const PADS: readonly (readonly [string, number])[] = [['long', PTR_SIZE * 8], ['int', 32], ['short', 16], ['char', 8]];
const roundup = (x: number, y: number): number => (y === 0 ? x : Math.ceil(x / y) * y);
const MAX_PADDING_BITS = 8 << 20;
const TABS = '\t\t\t\t\t\t\t\t\t\t\t\t\t'; // indentation saturates at 13 levels, as in libbpf
const pfx = (lvl: number): string => TABS.slice(0, Math.min(lvl, TABS.length));

const NOT_ORDERED = 0, ORDERING = 1, ORDERED = 2;
const NOT_EMITTED = 0, EMITTING = 1, EMITTED = 2;

/** Flat per-id view of every record (base and split layers) over one host-order word array. */
class RawTable {
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

/** Growable byte buffer: appending to one JS string would build a rope of millions of retained nodes. */
class ByteOut {
  private buf: Uint8Array;
  private pos = 0;
  private ascii = true;

  /** `hint`: expected size (vmlinux: ~22 bytes per type), to avoid regrowing a megabytes-long buffer. */
  constructor(hint: number) {
    this.buf = new Uint8Array(Math.max(1 << 16, Math.min(hint, MAX_OUTPUT)));
  }

  s(text: string): void {
    const n = text.length;
    if (this.pos + n * 3 > this.buf.length) this.grow(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.ascii = false;
        p += utf8enc.encodeInto(text.slice(i), b.subarray(p)).written;
        break;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Newline and `lvl` tabs (saturating like pfx). */
  nl(lvl: number): void {
    if (this.pos + 16 > this.buf.length) this.grow(16);
    this.buf[this.pos++] = 10;
    const n = Math.min(lvl, TABS.length);
    for (let i = 0; i < n; i++) this.buf[this.pos++] = 9;
  }

  /** A decimal integer (|n| < 2^53) without making a string. */
  num(n: number): void {
    if (this.pos + 24 > this.buf.length) this.grow(24);
    const b = this.buf;
    if (n < 0) { b[this.pos++] = 45; n = -n; }
    let start = this.pos;
    do { b[this.pos++] = 48 + (n % 10); n = Math.floor(n / 10); } while (n > 0);
    for (let end = this.pos - 1; start < end; start++, end--) { const t = b[start]!; b[start] = b[end]!; b[end] = t; }
  }

  /** Copies the NUL-terminated string at `pos` of `src` (a BTF string section) without making a JS string. */
  cstr(src: Uint8Array, pos: number): void {
    let end = pos;
    while (src[end] !== 0 && end < src.length) end++;
    const n = end - pos;
    if (this.pos + n > this.buf.length) this.grow(n);
    for (let i = pos; i < end; i++) {
      const c = src[i]!;
      if (c >= 0x80) this.ascii = false;
      this.buf[this.pos++] = c;
    }
  }

  private grow(extra: number): void {
    // vmlinux gives ~5 MB; only a corrupt BTF (e.g. a 4 GB struct of padding) gets near this.
    if (this.pos + extra > MAX_OUTPUT) throw new XdpMetaError(`C header would exceed ${MAX_OUTPUT >> 20} MiB: the BTF is corrupt`);
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  toString(): string {
    const b = Buffer.from(this.buf.buffer, 0, this.pos);
    return b.toString(this.ascii ? 'latin1' : 'utf8');
  }
}

const utf8enc = new TextEncoder();

/**
 * Occurrence counts of names keyed by their bytes in the string section (libbpf's name maps), so
 * counting the ~100k names of vmlinux makes no JS strings. Open addressing over string offsets.
 */
class NameCounter {
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

/** A declarator name: a JS string, or a BTF string offset (copied as bytes, no string made). */
type Fname = string | number;

export interface CDumpOptions {
  /** Only these root type ids (and what they need); default: every type, as bpftool does. */
  rootIds?: number[];
  /** Emit the `#ifndef __VMLINUX_H__` guard and the preserve_access_index pragma region (default true). */
  header?: boolean;
}

class CDumper {
  private readonly r: RawTable;
  private readonly n: number;
  private readonly orderState: Uint8Array;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;
  private readonly nameResolved: Uint8Array;
  private readonly referenced: Uint8Array;
  private readonly cachedNames: (string | undefined)[];
  /** alignOf memo, stored +1 so 0 means "not computed" (alignment is a pure function of the id). */
  private readonly aligns: Uint8Array;
  private readonly typeNames: NameCounter;
  private readonly identNames: NameCounter;
  private emitQueue: number[] = [];
  private readonly o: ByteOut;

  constructor(private readonly btf: BtfModel) {
    this.o = new ByteOut(btf.count * 32);
    this.r = new RawTable(btf);
    // vmlinux: ~15k struct/union/enum/typedef names and ~20k enumerators per 126k types.
    this.typeNames = new NameCounter(this.r, btf.count >> 3);
    this.identNames = new NameCounter(this.r, btf.count >> 3);
    this.n = btf.count;
    this.orderState = new Uint8Array(this.n);
    this.emitState = new Uint8Array(this.n);
    this.fwdEmitted = new Uint8Array(this.n);
    this.nameResolved = new Uint8Array(this.n);
    this.referenced = new Uint8Array(this.n);
    this.cachedNames = new Array(this.n);
    this.aligns = new Uint8Array(this.n);
    this.orderState[0] = ORDERED;
    this.emitState[0] = EMITTED;
    this.markReferenced();
    this.checkNoDeclarationLoops();
  }

  /**
   * Valid C types only loop through a struct/union (a pointer member back to it). A loop made only of
   * pointers, modifiers, typedefs, arrays and function prototypes is corrupt BTF and would send the
   * ordering and declaration walks around forever, so it is rejected up front (iterative DFS).
   */
  private checkNoDeclarationLoops(): void {
    const r = this.r;
    const n = this.n;
    const color = new Uint8Array(n); // 0 new, 1 on the DFS path, 2 done
    // Successors: PTR/modifiers/TYPEDEF -> type; ARRAY -> element; FUNC_PROTO -> return, params.
    // STRUCT/UNION legitimately close loops and every other kind is a leaf here.
    const degree = (id: number): number => {
      switch (r.kind[id]) {
        case PTR: case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG: case ARRAY: return 1;
        case FUNC_PROTO: return 1 + r.vlen[id]!;
        default: return 0;
      }
    };
    const child = (id: number, k: number): number => {
      if (r.kind[id] === ARRAY) return r.u32(id, 0);
      return k === 0 ? r.st[id]! : r.u32(id, 8 * (k - 1) + 4);
    };
    const nodes = new Int32Array(n);
    const next = new Int32Array(n);
    for (let root = 1; root < n; root++) {
      if (color[root] || degree(root) === 0) continue;
      let sp = 0;
      nodes[0] = root;
      next[0] = 0;
      color[root] = 1;
      while (sp >= 0) {
        const id = nodes[sp]!;
        const k = next[sp]!;
        if (k >= degree(id)) { color[id] = 2; sp--; continue; }
        next[sp] = k + 1;
        const c = child(id, k);
        if (c >= n) throw new XdpMetaError(`${this.btf.source}: type [${id}] refers to type id ${c} beyond ${n - 1}`);
        if (color[c] === 1) throw new XdpMetaError(`${this.btf.source}: type [${c}] refers back to itself without a struct or union in between: the BTF is corrupt`);
        if (color[c] === 2 || degree(c) === 0) continue;
        color[c] = 1;
        nodes[++sp] = c;
        next[sp] = 0;
      }
    }
  }

  result(): string {
    return this.o.toString();
  }

  private str(off: number): string {
    return this.btf.stringAt(off);
  }

  private readonly names: (string | undefined)[] = [];

  private name(id: number): string {
    return this.names[id] ?? (this.names[id] = this.str(this.r.nameOff[id]!));
  }

  // Top-level anonymous enums (global constants) are unreferenced; embedded ones are referenced.
  private markReferenced(): void {
    const r = this.r;
    const ref = this.referenced;
    for (let id = 1; id < this.n; id++) {
      const vlen = r.vlen[id]!;
      switch (r.kind[id]) {
        case VOLATILE: case CONST: case RESTRICT: case PTR: case TYPEDEF: case FUNC: case VAR: case DECL_TAG: case TYPE_TAG:
          ref[r.ref(id, r.st[id]!)] = 1; break;
        case ARRAY:
          ref[r.ref(id, r.u32(id, 0))] = 1; ref[r.ref(id, r.u32(id, 4))] = 1; break;
        case STRUCT: case UNION:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 12 * j + 4))] = 1;
          break;
        case FUNC_PROTO:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 8 * j + 4))] = 1;
          break;
        case DATASEC:
          for (let j = 0; j < vlen; j++) ref[r.ref(id, r.u32(id, 12 * j))] = 1;
          break;
        default: break;
      }
    }
  }

  dumpType(id: number): void {
    this.emitQueue = [];
    this.orderType(id, false);
    for (const q of this.emitQueue) this.emitType(q, 0);
  }

  // ---- pass 1: ordering; returns true for a strong link (full definition needed first) ----

  private orderType(id: number, throughPtr: boolean): boolean {
    const r = this.r;
    if (this.orderState[id] === ORDERED) return true;
    const kind = r.kind[id]!;
    const named = r.nameOff[id] !== 0;
    if (this.orderState[id] === ORDERING) {
      if ((kind === STRUCT || kind === UNION) && throughPtr && named) return false; // loop broken by a fwd decl
      throw new XdpMetaError(`${this.btf.source}: unsatisfiable type cycle, id:[${id}]`);
    }
    switch (kind) {
      case INT: case FLOAT:
        this.orderState[id] = ORDERED;
        return false;
      case PTR: {
        const strong = this.orderType(r.st[id]!, true);
        this.orderState[id] = ORDERED;
        return strong;
      }
      case ARRAY:
        return this.orderType(r.u32(id, 0), false);
      case STRUCT: case UNION: {
        // Embedded (no pointer on the path) or anonymous (defined inline): strong.
        if (throughPtr && named) return false;
        this.orderState[id] = ORDERING;
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) this.orderType(r.u32(id, 12 * j + 4), false);
        if (named) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      }
      case ENUM: case ENUM64: case FWD:
        if (named || !this.referenced[id]) this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      case TYPEDEF: {
        const strong = this.orderType(r.st[id]!, throughPtr);
        if (throughPtr && !strong) return false;
        this.emitQueue.push(id);
        this.orderState[id] = ORDERED;
        return true;
      }
      case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
        return this.orderType(r.st[id]!, throughPtr);
      case FUNC_PROTO: {
        let strong = this.orderType(r.st[id]!, throughPtr);
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) if (this.orderType(r.u32(id, 8 * j + 4), throughPtr)) strong = true;
        return strong;
      }
      case FUNC: case VAR: case DATASEC: case DECL_TAG:
        this.orderState[id] = ORDERED;
        return false;
      default:
        throw new XdpMetaError(`${this.btf.source}: type [${id}] has unknown kind ${kind}`);
    }
  }

  // ---- pass 2: emission ----

  private isBlacklisted(id: number): boolean {
    // A compiler built-in: redefining it breaks compilation.
    return this.r.nameOff[id] !== 0 && this.name(id) === '__builtin_va_list';
  }

  private emitType(id: number, contId: number): void {
    const r = this.r;
    if (this.emitState[id] === EMITTED) return;
    const kind = r.kind[id]!;
    const topLevel = contId === 0;
    if (this.emitState[id] === EMITTING) {
      if (this.fwdEmitted[id]) return;
      if (kind === STRUCT || kind === UNION) {
        if (id === contId) return; // referring to the struct we are inside of
        if (r.nameOff[id] === 0) return; // anonymous loop: nothing sensible to emit
        this.emitStructFwd(id);
        this.o.s(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (kind === TYPEDEF) {
        // The typedef serves as a forward declaration for pointer uses.
        if (!this.isBlacklisted(id)) { this.emitTypedefDef(id, 0); this.o.s(';\n\n'); }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (kind) {
      case INT:
        this.emitMissingAliases(id);
        this.emitState[id] = EMITTED;
        break;
      case ENUM: case ENUM64:
        if (topLevel) { this.emitEnumDef(id, 0); this.o.s(';\n\n'); }
        this.emitState[id] = EMITTED;
        break;
      case PTR: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
        this.emitType(r.st[id]!, contId);
        break;
      case ARRAY:
        this.emitType(r.u32(id, 0), contId);
        break;
      case FWD:
        this.emitFwdDef(id);
        this.o.s(';\n\n');
        this.emitState[id] = EMITTED;
        break;
      case TYPEDEF:
        this.emitState[id] = EMITTING;
        this.emitType(r.st[id]!, id);
        if (!this.fwdEmitted[id] && !this.isBlacklisted(id)) { this.emitTypedefDef(id, 0); this.o.s(';\n\n'); }
        this.emitState[id] = EMITTED;
        break;
      case STRUCT: case UNION: {
        this.emitState[id] = EMITTING;
        const anon = r.nameOff[id] === 0;
        // A definition spells out every member type, so their forward declarations come first.
        if (topLevel || anon) {
          const cont = anon ? contId : id;
          const vlen = r.vlen[id]!;
          for (let j = 0; j < vlen; j++) this.emitType(r.u32(id, 12 * j + 4), cont);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.emitStructFwd(id);
          this.o.s(';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.emitStructDef(id, 0);
          this.o.s(';\n\n');
          this.emitState[id] = EMITTED;
        } else {
          this.emitState[id] = NOT_EMITTED;
        }
        break;
      }
      case FUNC_PROTO: {
        this.emitType(r.st[id]!, contId);
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) this.emitType(r.u32(id, 8 * j + 4), contId);
        break;
      }
      default: break;
    }
  }

  // ---- sizes and alignment (libbpf btf__resolve_size / btf__align_of; errors count as 0) ----

  private resolveSize(id: number): number {
    const r = this.r;
    let nelems = 1;
    for (let depth = 0; depth < 32; depth++) {
      switch (r.kind[id]) {
        case INT: case STRUCT: case UNION: case ENUM: case ENUM64: case DATASEC: case FLOAT:
          return nelems * r.st[id]!;
        case PTR: return nelems * PTR_SIZE;
        case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case VAR: case DECL_TAG: case TYPE_TAG:
          id = r.st[id]!; break;
        case ARRAY: nelems *= r.u32(id, 8); id = r.u32(id, 0); break;
        default: return 0;
      }
    }
    return 0;
  }

  private alignOf(id: number, depth = 0): number {
    const cached = this.aligns[id]!;
    if (cached !== 0) return cached - 1;
    const a = this.computeAlignOf(id, depth);
    this.aligns[id] = a + 1;
    return a;
  }

  private computeAlignOf(id: number, depth: number): number {
    const r = this.r;
    if (depth > 32) return 0;
    switch (r.kind[id]) {
      case INT: case ENUM: case ENUM64: case FLOAT: return Math.min(PTR_SIZE, r.st[id]!);
      case PTR: return PTR_SIZE;
      case TYPEDEF: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG: return this.alignOf(r.st[id]!, depth + 1);
      case ARRAY: return this.alignOf(r.u32(id, 0), depth + 1);
      case STRUCT: case UNION: {
        let max = 1;
        const vlen = r.vlen[id]!;
        const kf = r.kflag[id]!;
        for (let j = 0; j < vlen; j++) {
          const a = this.alignOf(r.u32(id, 12 * j + 4), depth + 1);
          if (a <= 0) return 0;
          max = Math.max(max, a);
          const off = r.u32(id, 12 * j + 8);
          const bitSize = kf ? off >>> 24 : 0;
          const bitOff = kf ? off & 0xffffff : off;
          if (bitSize === 0 && bitOff % (8 * a) !== 0) return 1;
        }
        return r.st[id]! % max !== 0 ? 1 : max;
      }
      default: return 0;
    }
  }

  private isStructPacked(id: number): boolean {
    const r = this.r;
    let max = 1;
    const vlen = r.vlen[id]!;
    const kf = r.kflag[id]!;
    for (let j = 0; j < vlen; j++) {
      const a = this.alignOf(r.u32(id, 12 * j + 4));
      const off = r.u32(id, 12 * j + 8);
      const bitSize = kf ? off >>> 24 : 0;
      const bitOff = kf ? off & 0xffffff : off;
      if (a && bitSize === 0 && bitOff % (8 * a) !== 0) return true;
      max = Math.max(a, max);
    }
    return r.st[id]! % max !== 0;
  }

  // ---- struct/union ----

  private emitBitPadding(curOff: number, nextOff: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (curOff >= nextOff) return;
    // Kernel padding holes are at most a page or so; a hole of megabytes is a corrupt offset or size
    // (and would be spelled as millions of `long: 64;` lines).
    if (nextOff - curOff > MAX_PADDING_BITS) {
      throw new XdpMetaError(`${this.btf.source}: a ${(nextOff - curOff) >> 3}-byte hole inside a struct: the BTF is corrupt`);
    }
    const pads = PADS;
    let padType = 'char';
    let padBits = 8;
    let newOff = curOff;
    // The largest type whose natural alignment lands at or before the next field.
    for (const [t, bits] of pads) {
      padType = t;
      padBits = bits;
      newOff = roundup(curOff, bits);
      if (newOff <= nextOff) break;
    }
    if (newOff > curOff && newOff <= nextOff) {
      // An explicit `<type>: 0` is needed when the compiler would not align there by itself.
      if (inBitfield || (newOff === nextOff && roundup(curOff, nextAlign * 8) !== newOff)
        || (newOff !== nextOff && nextOff - newOff <= newOff - curOff)) {
        this.o.s(`\n${pfx(lvl)}${padType}: ${inBitfield ? newOff - curOff : 0};`);
      }
      curOff = newOff;
    }
    while (curOff !== nextOff) {
      const bits = Math.min(nextOff - curOff, padBits);
      if (bits === padBits) {
        this.o.s(`\n${pfx(lvl)}${padType}: ${padBits};`);
        curOff += bits;
        continue;
      }
      // The remainder: the smallest type that holds it.
      for (let i = pads.length - 1; i >= 0; i--) {
        const [t, pb] = pads[i]!;
        padType = t;
        padBits = pb;
        if (pb < bits) continue;
        this.o.s(`\n${pfx(lvl)}${t}: ${bits};`);
        curOff += bits;
        break;
      }
    }
  }

  private emitStructFwd(id: number): void {
    const name = this.typeName(id);
    this.o.s(this.r.kind[id] === STRUCT ? (this.r.nameOff[id] ? 'struct ' : 'struct') : (this.r.nameOff[id] ? 'union ' : 'union'));
    this.writeName(name);
  }

  private emitStructDef(id: number, lvl: number): void {
    const r = this.r;
    const isStruct = r.kind[id] === STRUCT;
    const vlen = r.vlen[id]!;
    const kf = r.kflag[id]!;
    const align = this.alignOf(id);
    const packed = isStruct ? this.isStructPacked(id) : false;
    const name = this.typeName(id);
    this.o.s(isStruct ? (r.nameOff[id] ? 'struct ' : 'struct') : (r.nameOff[id] ? 'union ' : 'union'));
    this.writeName(name);
    this.o.s(' {');
    let off = 0;
    let prevBitfield = false;
    for (let j = 0; j < vlen; j++) {
      const mType = r.u32(id, 12 * j + 4);
      const raw = r.u32(id, 12 * j + 8);
      const fname = r.u32(id, 12 * j); // a string offset: written straight from the string section
      let mSize = kf ? raw >>> 24 : 0;
      const mOff = kf ? raw & 0xffffff : raw;
      const mAlign = packed ? 1 : this.alignOf(mType);
      const inBitfield = prevBitfield && mSize !== 0;
      this.emitBitPadding(off, mOff, mAlign, inBitfield, lvl + 1);
      this.o.nl(lvl + 1);
      this.emitTypeDecl(mType, fname, lvl + 1);
      if (mSize) {
        this.o.s(': ');
        this.o.num(mSize);
        off = mOff + mSize;
        prevBitfield = true;
      } else {
        mSize = Math.max(0, this.resolveSize(mType));
        off = mOff + mSize * 8;
        prevBitfield = false;
      }
      this.o.s(';');
    }
    if (isStruct) this.emitBitPadding(off, r.st[id]! * 8, align, false, lvl + 1);
    // `struct empty {}` stays on one line.
    this.o.s(vlen || r.st[id] ? `\n${pfx(lvl)}}` : '}');
    if (packed) this.o.s(' __attribute__((packed))');
  }

  // ---- enums, fwds, typedefs ----

  private emitMissingAliases(id: number): void {
    // GCC's internal Arm SIMD base types, aliased to standard ones.
    this.typeName(id); // registers the name, as libbpf does, so a struct of the same name gets ___2
    const name = this.name(id);
    const alias = name.startsWith('__Poly') ? MISSING_BASE_TYPES.get(name) : undefined;
    if (alias) this.o.s(`typedef ${alias} ${name};\n\n`);
  }

  private emitEnumDef(id: number, lvl: number): void {
    const r = this.r;
    const vlen = r.vlen[id]!;
    const ename = this.typeName(id);
    this.o.s(r.nameOff[id] ? 'enum ' : 'enum');
    this.writeName(ename);
    if (!vlen) return;
    this.o.s(' {');
    const signed = r.kflag[id] === 1;
    let anyHi = false;
    for (let j = 0; j < vlen; j++) {
      let name: number;
      let val: string | number;
      if (r.kind[id] === ENUM) {
        name = r.u32(id, 8 * j);
        val = signed ? r.i32(id, 8 * j + 4) : r.u32(id, 8 * j + 4);
      } else {
        name = r.u32(id, 12 * j);
        const lo = r.u32(id, 12 * j + 4);
        const hi = r.u32(id, 12 * j + 8);
        if (hi !== 0) anyHi = true;
        const u = (BigInt(hi) << 32n) | BigInt(lo);
        val = signed ? `${BigInt.asIntN(64, u)}LL` : `${u}ULL`;
      }
      // Enumerators share the identifier namespace with typedefs.
      const dups = this.identNames.bump(name);
      this.o.nl(lvl + 1);
      this.writeName(name);
      if (dups > 1) this.o.s(`___${dups}`);
      this.o.s(' = ');
      if (typeof val === 'number') this.o.num(val);
      else this.o.s(val);
      this.o.s(',');
    }
    this.o.s(`\n${pfx(lvl)}}`);
    const size = r.st[id]!;
    if (size === 1) this.o.s(' __attribute__((mode(byte)))');
    else if (size === 8 && PTR_SIZE === 8) {
      // An 8-byte enum comes naturally only from a value with non-zero upper 32 bits.
      if (r.kind[id] === ENUM || !anyHi) this.o.s(' __attribute__((mode(word)))');
    }
  }

  private emitFwdDef(id: number): void {
    const name = this.typeName(id);
    this.o.s(this.r.kflag[id] ? 'union ' : 'struct ');
    this.writeName(name);
  }

  private emitTypedefDef(id: number, lvl: number): void {
    const name = this.identName(id);
    // Old GCC emits __gnuc_va_list as a typedef of void.
    if (this.r.st[id] === 0 && this.name(id) === '__gnuc_va_list') {
      this.o.s('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.o.s('typedef ');
    this.emitTypeDecl(this.r.st[id]!, name, lvl);
  }

  // ---- declarations: a type chain rendered in C declarator syntax ----

  // The declaration stack is shared by nested declarations (a function pointer's parameters inside a
  // member): each frame is the part above the `start` it was given, as in libbpf's id_stack views.
  private readonly stk: number[] = [];

  private emitTypeDecl(id: number, fname: Fname, lvl: number): void {
    const r = this.r;
    const stk = this.stk;
    const start = stk.length;
    for (let guard = 0; ; guard++) {
      if (guard > this.n) throw new XdpMetaError(`${this.btf.source}: type [${id}]: declaration chain loops`);
      stk.push(id);
      if (id === 0) break;
      const k = r.kind[id];
      if (k === PTR || k === VOLATILE || k === CONST || k === RESTRICT || k === FUNC_PROTO || k === TYPE_TAG) id = r.st[id]!;
      else if (k === ARRAY) id = r.u32(id, 0);
      else break; // INT ENUM ENUM64 FWD STRUCT UNION TYPEDEF FLOAT (others: unexpected, stop)
    }
    this.emitTypeChain(start, fname, lvl);
    stk.length = start;
  }

  private emitMods(start: number): void {
    const stk = this.stk;
    while (stk.length > start) {
      const k = this.r.kind[stk[stk.length - 1]!];
      if (k === VOLATILE) this.o.s('volatile ');
      else if (k === CONST) this.o.s('const ');
      else if (k === RESTRICT) this.o.s('restrict ');
      else return;
      stk.pop();
    }
  }

  private dropMods(start: number): void {
    const stk = this.stk;
    while (stk.length > start) {
      const k = this.r.kind[stk[stk.length - 1]!];
      if (k !== VOLATILE && k !== CONST && k !== RESTRICT && k !== TYPE_TAG) return;
      stk.pop();
    }
  }

  private isEmpty(name: Fname): boolean {
    if (typeof name === 'string') return name === '';
    const src = this.r.strArr(name);
    return src[this.r.pos] === 0;
  }

  private writeName(name: Fname): void {
    if (typeof name === 'string') this.o.s(name);
    else this.o.cstr(this.r.strArr(name), this.r.pos);
  }

  private emitName(name: Fname, lastWasPtr: boolean): void {
    if (this.isEmpty(name)) return;
    if (!lastWasPtr) this.o.s(' ');
    this.writeName(name);
  }

  private emitTypeChain(start: number, fname: Fname, lvl: number): void {
    const stk = this.stk;
    const r = this.r;
    let lastWasPtr = true; // so a lone pointer in a function-pointer chain prints as (*name)
    while (stk.length > start) {
      const id = stk.pop()!;
      if (id === 0) {
        this.emitMods(start);
        this.o.s('void');
        lastWasPtr = false;
        continue;
      }
      const kind = r.kind[id]!;
      switch (kind) {
        case INT: case FLOAT:
          this.emitMods(start);
          this.o.cstr(r.strArr(r.nameOff[id]!), r.pos);
          break;
        case STRUCT: case UNION:
          this.emitMods(start);
          if (r.nameOff[id] === 0) this.emitStructDef(id, lvl); // anonymous: defined inline
          else this.emitStructFwd(id);
          break;
        case ENUM: case ENUM64:
          this.emitMods(start);
          if (r.nameOff[id] === 0) this.emitEnumDef(id, lvl);
          else { const n = this.typeName(id); this.o.s('enum '); this.writeName(n); }
          break;
        case FWD:
          this.emitMods(start);
          this.emitFwdDef(id);
          break;
        case TYPEDEF:
          this.emitMods(start);
          this.writeName(this.identName(id));
          break;
        case PTR: this.o.s(lastWasPtr ? '*' : ' *'); break;
        case VOLATILE: this.o.s(' volatile'); break;
        case CONST: this.o.s(' const'); break;
        case RESTRICT: this.o.s(' restrict'); break;
        case TYPE_TAG:
          this.emitMods(start);
          this.o.s(` __attribute__((btf_type_tag("${this.name(id)}")))`);
          break;
        case ARRAY: {
          const nelems = r.u32(id, 8);
          // Qualifiers on an array itself (a GCC quirk) carry no meaning: dropped.
          this.dropMods(start);
          if (stk.length === start) {
            this.emitName(fname, lastWasPtr);
            this.o.s('[');
            this.o.num(nelems);
            this.o.s(']');
            return;
          }
          const multidim = r.kind[stk[stk.length - 1]!] === ARRAY;
          if (!this.isEmpty(fname) && !lastWasPtr) this.o.s(' ');
          if (!multidim) this.o.s('(');
          this.emitTypeChain(start, fname, lvl);
          if (!multidim) this.o.s(')');
          this.o.s('[');
          this.o.num(nelems);
          this.o.s(']');
          return;
        }
        case FUNC_PROTO: {
          const vlen = r.vlen[id]!;
          this.dropMods(start);
          if (stk.length > start) {
            this.o.s(' (');
            this.emitTypeChain(start, fname, lvl);
            this.o.s(')');
          } else {
            this.emitName(fname, lastWasPtr);
          }
          this.o.s('(');
          // No parameters (or clang's single void parameter) is spelled `(void)`: `()` is not a prototype.
          if (vlen === 0 || (vlen === 1 && r.u32(id, 4) === 0)) {
            this.o.s('void)');
            return;
          }
          for (let j = 0; j < vlen; j++) {
            if (j > 0) this.o.s(', ');
            const pt = r.u32(id, 8 * j + 4);
            if (j === vlen - 1 && pt === 0) {
              this.o.s('...');
              break;
            }
            this.emitTypeDecl(pt, r.u32(id, 8 * j), lvl);
          }
          this.o.s(')');
          return;
        }
        default:
          return; // unexpected kind in a declaration chain: libbpf warns and stops
      }
      lastWasPtr = kind === PTR;
    }
    this.emitName(fname, lastWasPtr);
  }

  // ---- unique names: a second `struct foo` becomes `foo___2` ----

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

  private typeName(id: number): Fname {
    return this.resolveName(id, this.typeNames);
  }

  private identName(id: number): Fname {
    return this.resolveName(id, this.identNames);
  }
}

const MISSING_BASE_TYPES = new Map([
  ['__Poly8_t', 'unsigned char'], ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'], ['__Poly128_t', 'unsigned __int128'],
]);

/** The C header for `btf` (every type, base included for split BTF), as bpftool prints it. */
export function dumpC(btf: Btf, opts: CDumpOptions = {}): string {
  if (!(btf instanceof BtfModel)) throw new XdpMetaError(`${btf.source}: C dump needs a BTF from parseBtf/readBtfFile`);
  const d = new CDumper(btf);
  const header = opts.header ?? true;
  let head = '';
  if (header) {
    head = '#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n'
      + '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n';
  }
  try {
    if (opts.rootIds) {
      for (const id of opts.rootIds) {
        if (!(Number.isInteger(id) && id > 0 && id < btf.count)) throw new XdpMetaError(`${btf.source}: no type id ${id}`);
        d.dumpType(id);
      }
    } else {
      for (let id = 1; id < btf.count; id++) d.dumpType(id);
    }
  } catch (e) {
    // Loops are rejected up front; only an absurdly deep (crafted) type chain can still exhaust the stack.
    if (e instanceof RangeError) throw new XdpMetaError(`${btf.source}: type graph too deep to dump as C`, { cause: e });
    throw e;
  }
  let tail = '';
  if (header) tail = '#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n';
  return head + d.result() + tail;
}
