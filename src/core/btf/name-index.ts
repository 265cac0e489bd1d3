// Type ids by name and by essential name (libbpf's `___flavor` rule), hashed from the string bytes the wire records point at.
import type { BtfWire } from './wire';

// FNV-1a over UTF-8 bytes: a query hashes its own encoding the same way, so no name is ever decoded.
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 16777619;
const UNDERSCORE = 0x5f;
const TRIPLE_UNDERSCORE = Buffer.from('___');

/** A query name as bytes; ASCII names (all of vmlinux's) skip the TextEncoder. */
function utf8(name: string): Uint8Array {
  const n = name.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    if (c >= 0x80) return new TextEncoder().encode(name);
    out[i] = c;
  }
  return out;
}

function hashBytes(b: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ b[i]!, FNV_PRIME);
  return h;
}

/**
 * libbpf.c: bpf_core_essential_name_len over bytes — the length before the last `X___Y` separator
 * (X, Y not `_`, Y not the end), or the whole length. UTF-8 continuation bytes are never `_` or NUL,
 * so this agrees with the rule on characters.
 */
function essentialLenOfBytes(b: Uint8Array, start: number, end: number): number {
  for (let i = end - 5; i >= start; i--) {
    if (b[i] !== UNDERSCORE && b[i + 1] === UNDERSCORE && b[i + 2] === UNDERSCORE && b[i + 3] === UNDERSCORE && b[i + 4] !== UNDERSCORE) {
      return i + 1 - start;
    }
  }
  return end - start;
}

const KIND_FUNC = 12;

/** One partition's hash chains: bucket heads plus the shared per-record `next` links. */
interface Chains {
  readonly mask: number;
  /** First own index (id - startId) in each bucket, -1 for none. */
  readonly head: Int32Array;
  /** Essential-name hash -> own indexes (ascending) of this partition's types whose name carries a `___flavor`. */
  flavored?: Map<number, number[]>;
}

/** A string containing `___` that is a flavored name: where it is, its full-name and essential-name hashes. */
interface FlavoredString { readonly off: number; readonly hash: number; readonly essentialHash: number }

/**
 * The name index of one BTF layer's own types (ids startId .. startId+length-1); names may live in a
 * base's string section (split BTF). Built lazily in one pass over the type records, hashing name
 * bytes in place (no name is decoded): chained buckets in typed arrays, chains in ascending id order.
 *
 * Two partitions, each built on the first lookup that needs it: FUNC, and every other kind. In vmlinux
 * functions are 56k of the 71k named types and 80 % of the name bytes, and CO-RE candidates, struct
 * and typedef lookups never ask for them. Flavored names (`a___b`, a few dozen in vmlinux) are found
 * by a native search for `___` in the string sections and kept in a side table keyed by their
 * essential name, so the main pass does no per-byte flavor work.
 */
export class BtfNameIndex {
  /** Next own index in the same bucket (-1 at the end); each record belongs to one partition. */
  private next: Int32Array;
  /** FNV-1a of each own type's full name (set when its partition is built). */
  private hashes: Int32Array;
  private funcs: Chains | undefined;
  private others: Chains | undefined;
  private flavoredStrings: FlavoredString[] | undefined;

  /** `bases`: the base layers' wires, nearest first (their string sections hold offsets below ours). */
  constructor(private readonly wire: BtfWire, private readonly bases: readonly BtfWire[]) {
    this.next = new Int32Array(wire.length);
    this.hashes = new Int32Array(wire.length);
  }

  private chains(func: boolean): Chains {
    const have = func ? this.funcs : this.others;
    if (have) return have;
    const built = this.build(func);
    if (func) this.funcs = built;
    else this.others = built;
    return built;
  }

  private build(func: boolean): Chains {
    const wire = this.wire;
    const n = wire.length;
    // About one bucket per named type of the partition (vmlinux: 56k functions and 15k other named
    // types among 126k): a head table that stays in cache builds faster than a sparser one.
    let size = 16;
    while (size < (func ? n / 2 : n / 8)) size <<= 1;
    const mask = size - 1;
    const head = new Int32Array(size).fill(-1);
    const next = this.next;
    const hashes = this.hashes;
    const W = wire.words;
    const at = wire.wordIdx;
    const S = wire.strings;
    const sb = wire.stringsBase;
    // Descending, so each chain lists ids ascending. One loop with the byte loop inlined: this runs
    // before V8 has optimized anything, and calls are what cost most in unoptimized code.
    for (let i = n - 1; i >= 0; i--) {
      const q = at[i]!;
      const off = W[q]!;
      if (off === 0 || (((W[q + 1]! >>> 24) & 0x1f) === KIND_FUNC) !== func) continue;
      let h = FNV_OFFSET;
      if (off >= sb) {
        // The section ends in NUL (checked by the wire parser), so this stops inside it.
        for (let p = off - sb, c = S[p]!; c !== 0; c = S[++p]!) h = Math.imul(h ^ c, FNV_PRIME);
      } else {
        const [B, p] = this.locate(off);
        h = hashBytes(B, p, B.indexOf(0, p));
      }
      hashes[i] = h;
      const bucket = h & mask;
      next[i] = head[bucket]!;
      head[bucket] = i;
    }
    return { mask, head };
  }

  /**
   * Both partitions as one array, for a cache of this exact BTF: [n, funcs mask, others mask, next, hashes,
   * funcs head, others head]. Builds what is not built yet.
   */
  serialize(): Int32Array {
    const n = this.wire.length;
    const f = this.chains(true);
    const o = this.chains(false);
    const out = new Int32Array(3 + 2 * n + f.head.length + o.head.length);
    out[0] = n;
    out[1] = f.mask;
    out[2] = o.mask;
    out.set(this.next, 3);
    out.set(this.hashes, 3 + n);
    out.set(f.head, 3 + 2 * n);
    out.set(o.head, 3 + 2 * n + f.head.length);
    return out;
  }

  /**
   * Adopts what serialize() wrote for the same BTF (the caller vouches for that, e.g. by the file's identity);
   * false, adopting nothing, when the shape does not fit this BTF.
   */
  restore(a: Int32Array): boolean {
    const n = this.wire.length;
    if (a.length < 3 || a[0] !== n) return false;
    const fSize = a[1]! + 1;
    const oSize = a[2]! + 1;
    const pow2 = (x: number): boolean => x >= 16 && (x & (x - 1)) === 0;
    if (!pow2(fSize) || !pow2(oSize) || a.length !== 3 + 2 * n + fSize + oSize) return false;
    this.next = a.subarray(3, 3 + n);
    this.hashes = a.subarray(3 + n, 3 + 2 * n);
    this.funcs = { mask: fSize - 1, head: a.subarray(3 + 2 * n, 3 + 2 * n + fSize) };
    this.others = { mask: oSize - 1, head: a.subarray(3 + 2 * n + fSize) };
    return true;
  }

  /** The string section holding absolute string offset `off`, and the position in it. */
  private locate(off: number): [Uint8Array, number] {
    if (off >= this.wire.stringsBase) return [this.wire.strings, off - this.wire.stringsBase];
    for (const b of this.bases) if (off >= b.stringsBase) return [b.strings, off - b.stringsBase];
    return [this.bases[this.bases.length - 1]!.strings, off]; // unreachable: the last base starts at 0
  }

  /** Kind number (BTF_KIND_*) of own index i. */
  private kindAt(i: number): number {
    return (this.wire.words[this.wire.wordIdx[i]! + 1]! >>> 24) & 0x1f;
  }

  /** Does the own type i's name equal `q` (prefixOnly: start with it)? */
  private nameIs(i: number, q: Uint8Array, prefixOnly: boolean): boolean {
    const [B, p] = this.locate(this.wire.words[this.wire.wordIdx[i]!]!);
    if (p + q.length >= B.length) return false;
    for (let j = 0; j < q.length; j++) if (B[p + j] !== q[j]) return false;
    return prefixOnly || B[p + q.length] === 0;
  }

  /** The partitions a kind filter needs: FUNC's, the others', or both for any kind (-1). */
  private partitions(kind: number): Chains[] {
    if (kind === KIND_FUNC) return [this.chains(true)];
    if (kind !== -1) return [this.chains(false)];
    return [this.chains(false), this.chains(true)];
  }

  /** Own type ids named exactly `name`, ascending; `kind` (a BTF_KIND_* number) filters unless -1. */
  idsByName(name: string, kind: number, firstOnly = false): number[] {
    const out: number[] = [];
    if (name === '' || name.includes('\0')) return out; // no BTF name holds a NUL
    const q = utf8(name);
    const h = hashBytes(q, 0, q.length);
    const parts = this.partitions(kind);
    for (const c of parts) {
      for (let i = c.head[h & c.mask]!; i >= 0; i = this.next[i]!) {
        if (this.hashes[i] !== h || !this.nameIs(i, q, false)) continue;
        if (kind !== -1 && this.kindAt(i) !== kind) continue;
        out.push(this.wire.startId + i);
        if (firstOnly) break;
      }
    }
    if (parts.length > 1) {
      out.sort((a, b) => a - b);
      if (firstOnly) out.length = Math.min(out.length, 1);
    }
    return out;
  }

  /**
   * Own type ids whose essential name is `essential` (libbpf.c: bpf_core_add_cands compares the
   * essential names of local and target), ascending; `kind` filters unless -1.
   */
  idsByEssentialName(essential: string, kind: number): number[] {
    if (essential === '' || essential.includes('\0')) return [];
    const q = utf8(essential);
    // A name equal to `essential` counts only if it is its own essential name (no flavor inside).
    const exact = essentialLenOfBytes(q, 0, q.length) === q.length ? this.idsByName(essential, kind) : [];
    const key = hashBytes(q, 0, q.length);
    const more: number[] = [];
    for (const c of this.partitions(kind)) {
      for (const i of this.flavoredIn(c).get(key) ?? []) {
        if (kind !== -1 && this.kindAt(i) !== kind) continue;
        if (!this.nameIs(i, q, true)) continue;
        const [B, p] = this.locate(this.wire.words[this.wire.wordIdx[i]!]!);
        if (essentialLenOfBytes(B, p, B.indexOf(0, p)) === q.length) more.push(this.wire.startId + i);
      }
    }
    if (more.length === 0) return exact;
    return exact.concat(more).sort((a, b) => a - b);
  }

  /** The partition's flavored types by essential-name hash: those in each flavored string's bucket that point at it. */
  private flavoredIn(c: Chains): Map<number, number[]> {
    if (c.flavored) return c.flavored;
    const table = new Map<number, number[]>();
    for (const f of this.flavoredStrings ??= this.findFlavoredStrings()) {
      for (let i = c.head[f.hash & c.mask]!; i >= 0; i = this.next[i]!) {
        if (this.hashes[i] !== f.hash || this.wire.words[this.wire.wordIdx[i]!] !== f.off) continue;
        let ids = table.get(f.essentialHash);
        if (!ids) table.set(f.essentialHash, (ids = []));
        ids.push(i);
      }
    }
    for (const ids of table.values()) ids.sort((a, b) => a - b);
    return (c.flavored = table);
  }

  /** Every flavored string of this layer and its bases: `___` is rare, so a native search finds them. */
  private findFlavoredStrings(): FlavoredString[] {
    const out: FlavoredString[] = [];
    const seen = new Set<number>();
    for (const layer of [this.wire, ...this.bases]) {
      const s = layer.strings;
      const buf = Buffer.from(s.buffer, s.byteOffset, s.byteLength);
      for (let at = buf.indexOf(TRIPLE_UNDERSCORE); at >= 0; at = buf.indexOf(TRIPLE_UNDERSCORE, at + 1)) {
        let start = at;
        while (start > 0 && buf[start - 1] !== 0) start--;
        const off = layer.stringsBase + start;
        if (seen.has(off)) continue;
        seen.add(off);
        const end = buf.indexOf(0, at);
        const ess = essentialLenOfBytes(buf, start, end);
        if (ess === end - start) continue; // `___` but no flavor (`a____b`, `__x___`)
        out.push({ off, hash: hashBytes(buf, start, end), essentialHash: hashBytes(buf, start, start + ess) });
      }
    }
    return out;
  }
}
