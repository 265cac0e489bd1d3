// Decodes data_meta bytes into named fields with the object's BTF: a named struct, the one the program writes, or a best guess; hex otherwise.
//
// BTF only carries types reachable from functions' signatures, globals and CO-RE relocations: a struct
// used only through a local `struct meta *m = data_meta` is absent from it. The object's DWARF (-g)
// has it, so a struct missing from BTF is looked up there (same layout, fewer type details).
import type { Btf, BtfStruct, BtfType } from '../btf/types';
import type { DwarfStruct } from '../dwarf/reader';
import type { MetaStructEvidence } from './meta-struct';

export type FieldValue = number | string | boolean;

export interface MetaField {
  /** Dotted path for nested structs (`outer.inner`), `[i]` for array elements. */
  name: string;
  offset: number;
  size: number;
  kind: 'uint' | 'int' | 'bool' | 'enum' | 'bytes' | 'float';
  bitOffset?: number;
  bitSize?: number;
  enumNames?: ReadonlyMap<number, string>;
}

export interface MetaLayout {
  struct: string;
  size: number;
  fields: MetaField[];
}

/**
 * How the struct was chosen: by name; by the program's stores through data_meta; by a BTF-id trailer the
 * program stores (bpf_core_type_id_local); by its reads through data_meta; by the source text; by size alone.
 */
export type LayoutChoice = 'named' | 'program-writes' | 'btf-id-trailer' | 'program-reads' | 'source-hint' | 'size-match';

export interface DecodedMeta {
  struct?: string;
  choice?: LayoutChoice;
  fields?: Record<string, FieldValue>;
}

/** Flattens a struct into leaf fields (nested structs/unions by path, small int arrays per element, the rest as bytes). */
export function layoutOf(btf: Btf, st: BtfStruct): MetaLayout {
  const fields: MetaField[] = [];
  const walk = (t: BtfType, name: string, offBits: number, bitSize: number, depth: number): void => {
    const r = btf.resolveTypedefs(t);
    const offset = Math.floor(offBits / 8);
    if (bitSize) {
      fields.push({ name, offset, size: btf.sizeof(r), kind: r.kind === 'INT' && r.signed ? 'int' : 'uint', bitOffset: offBits, bitSize });
      return;
    }
    switch (r.kind) {
      case 'INT':
        fields.push({ name, offset, size: r.size, kind: r.bool ? 'bool' : r.signed ? 'int' : 'uint' });
        return;
      case 'ENUM':
        fields.push({ name, offset, size: r.size, kind: 'enum', enumNames: new Map(r.values.map((v) => [v.value, v.name])) });
        return;
      case 'ENUM64':
        fields.push({ name, offset, size: r.size, kind: 'uint' });
        return;
      case 'FLOAT':
        fields.push({ name, offset, size: r.size, kind: 'float' });
        return;
      case 'PTR':
        fields.push({ name, offset, size: 8, kind: 'uint' });
        return;
      case 'STRUCT':
      case 'UNION':
        if (depth > 8) break;
        for (const m of r.members) {
          walk(m.type, m.name ? (name ? `${name}.${m.name}` : m.name) : name, offBits + m.bitOffset, m.bitfieldSize, depth + 1);
        }
        return;
      case 'ARRAY': {
        const elem = btf.resolveTypedefs(r.elemType);
        const esz = btf.sizeof(elem);
        if (elem.kind === 'INT' && esz > 1 && r.nelems <= 16) {
          for (let i = 0; i < r.nelems; i++) walk(elem, `${name}[${i}]`, offBits + i * esz * 8, 0, depth + 1);
          return;
        }
        fields.push({ name, offset, size: esz * r.nelems, kind: 'bytes' });
        return;
      }
      default:
        break;
    }
    fields.push({ name, offset, size: safeSize(btf, r), kind: 'bytes' });
  };
  walk(st, '', 0, 0, 0);
  return { struct: st.name || '(anonymous)', size: st.size, fields };
}

function safeSize(btf: Btf, t: BtfType): number {
  try {
    return btf.sizeof(t);
  } catch {
    return 0;
  }
}

/** A layout from DWARF members (signedness guessed from the type name; nested aggregates as bytes). */
export function layoutFromDwarf(ds: DwarfStruct): MetaLayout {
  const fields: MetaField[] = ds.members.map((m) => {
    const t = m.typeName.replace(/\b(const|volatile)\b/g, '').trim();
    const scalar = m.size === 1 || m.size === 2 || m.size === 4 || m.size === 8;
    const kind: MetaField['kind'] = !scalar || /^(struct|union)\b|\[/.test(t) ? 'bytes'
      : /^(_Bool|bool)$/.test(t) ? 'bool'
        : /^(float|double)$/.test(t) ? 'float'
          : /^(__s\d+|s\d+|int\d*_t|int|long|short|signed|char|long long)\b/.test(t) && !/unsigned/.test(t) ? 'int' : 'uint';
    const f: MetaField = { name: m.name, offset: m.offset, size: m.size, kind };
    if (m.bitSize) {
      f.bitSize = m.bitSize;
      f.bitOffset = m.bitOffset;
    }
    return f;
  });
  return { struct: ds.name, size: ds.size, fields };
}

/** Reads one field; u64 beyond 2^53 comes back as a decimal string (JSON has no bigints). */
export function readField(bytes: Uint8Array, f: MetaField, little: boolean): FieldValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (f.kind === 'bytes') return Buffer.from(bytes.subarray(f.offset, f.offset + f.size)).toString('hex');
  if (f.kind === 'float') return f.size === 4 ? dv.getFloat32(f.offset, little) : dv.getFloat64(f.offset, little);
  let v: bigint;
  switch (f.size) {
    case 1: v = BigInt(f.kind === 'int' ? dv.getInt8(f.offset) : dv.getUint8(f.offset)); break;
    case 2: v = BigInt(f.kind === 'int' ? dv.getInt16(f.offset, little) : dv.getUint16(f.offset, little)); break;
    case 4: v = BigInt(f.kind === 'int' ? dv.getInt32(f.offset, little) : dv.getUint32(f.offset, little)); break;
    case 8: v = f.kind === 'int' ? dv.getBigInt64(f.offset, little) : dv.getBigUint64(f.offset, little); break;
    default: return Buffer.from(bytes.subarray(f.offset, f.offset + f.size)).toString('hex');
  }
  if (f.bitSize) {
    // Bit offsets in BTF count from the struct start in the target's bit numbering (LSB first on little endian).
    const storage = BigInt(f.size * 8);
    const within = BigInt(f.bitOffset! - f.offset * 8);
    const raw = f.size === 8 ? BigInt.asUintN(64, v) : BigInt.asUintN(Number(storage), v);
    const shift = little ? within : storage - within - BigInt(f.bitSize);
    v = (raw >> shift) & ((1n << BigInt(f.bitSize)) - 1n);
    if (f.kind === 'int' && v >> BigInt(f.bitSize - 1)) v -= 1n << BigInt(f.bitSize);
  }
  if (f.kind === 'bool') return v !== 0n;
  const n = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  if (f.kind === 'enum' && n !== undefined) return f.enumNames?.get(n) ?? n;
  return n ?? v.toString();
}

/** Reads one field of a row's metadata, which starts at byte `base` of `b`. */
export type FieldReader = (b: Buffer, base: number) => FieldValue;

/**
 * A reader for `f` with its offset, size, signedness and byte order fixed in advance: whole integers read
 * straight from the Buffer (no DataView; BigInt only for a u64 beyond 2^53); the rest go through readField.
 */
export function compileField(f: MetaField, little: boolean): FieldReader {
  const o = f.offset;
  if (!f.bitSize && (f.kind === 'uint' || f.kind === 'int' || f.kind === 'bool' || f.kind === 'enum')) {
    let read: ((b: Buffer, base: number) => number) | undefined;
    const signed = f.kind === 'int';
    switch (f.size) {
      case 1: read = signed ? (b, x) => b.readInt8(x + o) : (b, x) => b[x + o]!; break;
      case 2: read = signed ? (little ? (b, x) => b.readInt16LE(x + o) : (b, x) => b.readInt16BE(x + o))
        : (little ? (b, x) => b.readUInt16LE(x + o) : (b, x) => b.readUInt16BE(x + o)); break;
      case 4: read = signed ? (little ? (b, x) => b.readInt32LE(x + o) : (b, x) => b.readInt32BE(x + o))
        : (little ? (b, x) => b.readUInt32LE(x + o) : (b, x) => b.readUInt32BE(x + o)); break;
      default: break;
    }
    if (read) {
      const r = read;
      if (f.kind === 'bool') return (b, x) => r(b, x) !== 0;
      if (f.kind === 'enum') {
        const names = f.enumNames;
        return (b, x) => { const v = r(b, x); return names?.get(v) ?? v; };
      }
      return r;
    }
    if (f.size === 8 && f.kind === 'uint') {
      const [lo, hi] = little ? [0, 4] : [4, 0];
      // Beyond 2^53 (cookies, hashes): one BigInt straight from the Buffer, not readField's DataView on a subarray.
      const slow = little ? (b: Buffer, x: number) => b.readBigUInt64LE(x + o).toString() : (b: Buffer, x: number) => b.readBigUInt64BE(x + o).toString();
      return (b, x) => {
        const h = little ? b.readUInt32LE(x + o + hi) : b.readUInt32BE(x + o + hi);
        if (h >= 0x20_0000) return slow(b, x); // beyond 2^53: a decimal string, as readField gives
        return h * 0x1_0000_0000 + (little ? b.readUInt32LE(x + o + lo) : b.readUInt32BE(x + o + lo));
      };
    }
    if (f.size === 8 && f.kind === 'int') {
      const min = BigInt(Number.MIN_SAFE_INTEGER);
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      return (b, x) => {
        const v = little ? b.readBigInt64LE(x + o) : b.readBigInt64BE(x + o);
        return v >= min && v <= max ? Number(v) : v.toString();
      };
    }
  }
  if (f.kind === 'bytes') return (b, x) => b.toString('hex', x + o, x + o + f.size);
  return (b, x) => readField(b.subarray(x, x + o + f.size), f, little);
}

/** Struct names a source assigns from data_meta: `struct X *p; ... p = ...data_meta...`. */
export function metaStructsFromSource(text: string): string[] {
  const vars = new Map<string, string>();
  for (const m of text.matchAll(/struct\s+(\w+)\s*\*\s*(\w+)/g)) vars.set(m[2], m[1]);
  const out: string[] = [];
  for (const m of text.matchAll(/\b(\w+)\s*=\s*[^;=]*\bdata_meta\b/g)) {
    const st = vars.get(m[1]);
    if (st && !out.includes(st)) out.push(st);
  }
  return out;
}

export interface MetaDecoderOptions {
  /** Structs from the object's DWARF, for structs BTF does not carry. */
  dwarfStructs?: ReadonlyMap<string, DwarfStruct>;
  /** Decode with this struct (the check's contract or --struct). */
  structName?: string;
  /** The program's C source, to find the struct it casts data_meta to. */
  sourceText?: string;
  /** What the program does through data_meta (meta-struct.ts); without it a trailer is never trusted. */
  evidence?: MetaStructEvidence;
}

/** A chosen layout with its field readers compiled for one metadata length. */
interface Picked {
  layout: MetaLayout;
  choice: LayoutChoice;
  names: string[];
  readers: FieldReader[];
}

/** Decodes rows' metadata; layouts are resolved once per meta length (and trailer id) and cached. */
export class MetaDecoder {
  private readonly byLen = new Map<string | number, Picked | null>();
  private readonly hinted: string[];
  private readonly little: boolean;

  constructor(private readonly btf: Btf | undefined, private readonly opts: MetaDecoderOptions = {}) {
    this.hinted = opts.sourceText ? metaStructsFromSource(opts.sourceText) : [];
    this.little = (btf?.byteOrder ?? 'little') === 'little';
  }

  /** The layout of struct `name` from BTF, else DWARF. */
  layoutByName(name: string): MetaLayout | undefined {
    const st = this.btf?.findByName(name, 'STRUCT');
    if (st && this.btf) return layoutOf(this.btf, st);
    const ds = this.opts.dwarfStructs?.get(name);
    return ds && ds.kind === 'struct' ? layoutFromDwarf(ds) : undefined;
  }

  /** Names of the structs this decoder can decode with (BTF and DWARF), sorted: for "no struct X" messages. */
  structNames(): string[] {
    const names = new Set<string>();
    for (const t of this.btf?.decodeAll() ?? []) if (t.kind === 'STRUCT' && t.name) names.add(t.name);
    for (const d of this.opts.dwarfStructs?.values() ?? []) if (d.kind === 'struct' && d.name) names.add(d.name);
    return [...names].sort();
  }

  /** The named struct's layout (opts.structName), or undefined when there is none. */
  namedLayout(): MetaLayout | undefined {
    return this.opts.structName ? this.layoutByName(this.opts.structName) : undefined;
  }

  private pick(b: Buffer, base: number, len: number): Picked | null {
    const btf = this.btf;
    if ((!btf && !this.opts.dwarfStructs) || len === 0) return null;
    const ev = this.opts.evidence;
    // The last 4 bytes matter only when the program stores a type id there; otherwise they are data
    // (an ifindex, a counter) and must not change the choice — nor split the cache per value.
    const trailer = ev?.trailer.length && len >= 4
      ? (this.little ? b.readUInt32LE(base + len - 4) : b.readUInt32BE(base + len - 4)) : 0;
    const key: string | number = trailer ? `${len}:${trailer}` : len;
    const hit = this.byLen.get(key);
    if (hit !== undefined) return hit;
    const c = this.choose(len, trailer);
    let found: Picked | null = null;
    if (c) {
      const fields = c.layout.fields.filter((f) => f.offset + f.size <= len); // truncated metadata: leave the rest out
      found = { ...c, names: fields.map((f) => f.name), readers: fields.map((f) => compileField(f, this.little)) };
    }
    this.byLen.set(key, found);
    return found;
  }

  private choose(len: number, trailer: number): { layout: MetaLayout; choice: LayoutChoice } | null {
    const btf = this.btf;
    const named = this.namedLayout();
    if (named) return { layout: named, choice: 'named' };
    const ev = this.opts.evidence;
    // A struct the program stores its own type id for, named by that id: the trailer convention, where
    // one program may write several layouts and the id says which one this packet carries.
    if (btf && trailer > 0 && trailer < btf.count && btf.kindOf(trailer) === 'STRUCT') {
      const st = btf.typeById(trailer) as BtfStruct;
      if (ev?.trailer.includes(st.name) && (st.size === len || st.size === len - 4)) {
        return { layout: layoutOf(btf, st), choice: 'btf-id-trailer' };
      }
    }
    const firstFitting = (names: readonly string[], exact: boolean): MetaLayout | undefined => {
      for (const name of names) {
        const l = this.layoutByName(name);
        if (l && (exact ? l.size === len : l.size <= len)) return l;
      }
      return undefined;
    };
    // What the program writes (exact size first: metadata grown by exactly sizeof(struct)), then reads.
    for (const [names, choice] of [[ev?.written, 'program-writes'], [ev?.read, 'program-reads']] as const) {
      const l = names?.length ? firstFitting(names, true) ?? firstFitting(names, false) : undefined;
      if (l) return { layout: l, choice };
    }
    const hinted = firstFitting(this.hinted, true);
    if (hinted) return { layout: hinted, choice: 'source-hint' };
    const names = new Set<string>();
    const fits = (name: string, size: number) => size === len && name !== '' && !name.startsWith('xm_') && /meta|hint/i.test(name);
    for (const t of btf?.decodeAll() ?? []) if (t.kind === 'STRUCT' && fits(t.name, t.size)) names.add(t.name);
    for (const d of this.opts.dwarfStructs?.values() ?? []) if (d.kind === 'struct' && fits(d.name, d.size)) names.add(d.name);
    const l = names.size === 1 ? this.layoutByName([...names][0]!) : undefined;
    return l ? { layout: l, choice: 'size-match' } : null;
  }

  decode(meta: Uint8Array): DecodedMeta {
    const b = Buffer.isBuffer(meta) ? meta : Buffer.from(meta.buffer, meta.byteOffset, meta.byteLength);
    return this.decodeAt(b, 0, b.length);
  }

  /** Decodes the `len` metadata bytes at `base` of `b` (a frame's record) without copying them. */
  decodeAt(b: Buffer, base: number, len: number): DecodedMeta {
    const p = this.pick(b, base, len);
    if (!p) return {};
    const fields: Record<string, FieldValue> = {};
    const { names, readers } = p;
    for (let i = 0; i < readers.length; i++) fields[names[i]!] = readers[i]!(b, base);
    return { struct: p.layout.struct, choice: p.choice, fields };
  }
}
