// A small DWARF (v4/v5) reader for BPF objects: struct layouts, variables with register locations, and file names.
//
// The metadata check needs the C types that a fixed-offset instruction carries no trace of: which variable a
// base register holds at a given instruction, and that variable's struct type. clang's `-g` debug
// info has exactly that (location lists map pc ranges to DW_OP_regN). Only what the check needs is
// decoded; every other attribute is skipped by its form. Addresses in a relocatable object are
// resolved through the REL entries of `.debug_addr` (symbol = the program section).
import * as path from 'node:path';
import { FormatError } from '../util/errors';
import type { ElfFile, ElfSection } from '../elf/types';

const DW_TAG = {
  array_type: 0x01, enumeration_type: 0x04, formal_parameter: 0x05, lexical_block: 0x0b, member: 0x0d,
  pointer_type: 0x0f, compile_unit: 0x11, structure_type: 0x13, typedef: 0x16, union_type: 0x17,
  inlined_subroutine: 0x1d, subrange_type: 0x21, base_type: 0x24, const_type: 0x26,
  subprogram: 0x2e, variable: 0x34, volatile_type: 0x35, restrict_type: 0x37, atomic_type: 0x47,
} as const;

const DW_AT = {
  name: 0x03, byte_size: 0x0b, bit_size: 0x0d, low_pc: 0x11, high_pc: 0x12, count: 0x37,
  upper_bound: 0x2f, abstract_origin: 0x31, data_member_location: 0x38, decl_file: 0x3a,
  decl_line: 0x3b, declaration: 0x3c, location: 0x02, type: 0x49, data_bit_offset: 0x6b,
  str_offsets_base: 0x72, addr_base: 0x73, loclists_base: 0x8c, stmt_list: 0x10,
} as const;

/** A struct/union member as DWARF describes it (offsets in bytes; bitfields keep their bit offset). */
export interface DwarfMember {
  name: string;
  offset: number;
  bitOffset: number;
  bitSize: number;
  size: number;
  typeName: string;
}

export interface DwarfStruct {
  kind: 'struct' | 'union';
  name: string;
  size: number;
  members: DwarfMember[];
  declFile?: string;
  declLine?: number;
}

/** A location range of a variable: while pc is in [start, end) of `section`, the value is in register `reg`. */
interface RegRange { section: number; start: number; end: number; reg: number }

export interface DwarfVariable {
  name: string;
  /** The pointed-to struct when the variable is a pointer to a struct/union (through typedefs/qualifiers). */
  pointee?: DwarfStruct;
  typeName: string;
  ranges: RegRange[];
  /** The pc range of the enclosing subprogram/block (where the name is in scope). */
  scope?: { section: number; start: number; end: number };
}

export interface DwarfInfo {
  /** Named structs and unions, first definition per name. */
  structs: Map<string, DwarfStruct>;
  variables: DwarfVariable[];
  /** The variable held in register `reg` at byte offset `pc` of section index `section`, if debug info says so. */
  variableInRegister(section: number, pc: number, reg: number): DwarfVariable | undefined;
  /** Variables named `name` whose scope contains `pc` of `section` (innermost scopes first). */
  variablesNamed(name: string, section: number, pc: number): DwarfVariable[];
}

interface Die {
  offset: number;
  tag: number;
  attrs: Map<number, AttrValue>;
  children: Die[];
  parent?: Die;
}
type AttrValue = { form: number; value: number; bytes?: Uint8Array; str?: string };

class Reader {
  pos = 0;
  constructor(readonly data: Uint8Array, readonly view: DataView, readonly le: boolean, readonly source: string, readonly base: number) {}
  need(n: number, what: string): void {
    if (this.pos + n > this.data.length) throw new FormatError(this.source, this.base + this.pos, what);
  }
  u8(): number { this.need(1, 'a byte'); return this.data[this.pos++]!; }
  u16(): number { this.need(2, 'u16'); const v = this.view.getUint16(this.pos, this.le); this.pos += 2; return v; }
  u32(): number { this.need(4, 'u32'); const v = this.view.getUint32(this.pos, this.le); this.pos += 4; return v; }
  u64(): number {
    this.need(8, 'u64');
    const lo = this.view.getUint32(this.pos + (this.le ? 0 : 4), this.le);
    const hi = this.view.getUint32(this.pos + (this.le ? 4 : 0), this.le);
    this.pos += 8;
    return hi * 0x100000000 + lo;
  }
  uleb(): number {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new FormatError(this.source, this.base + this.pos, 'ULEB128 of at most 10 bytes');
  }
  sleb(): number {
    let result = 0, mul = 1, b = 0;
    for (let i = 0; i < 10; i++) {
      b = this.u8();
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) break;
    }
    return b & 0x40 ? result - mul : result;
  }
  cstr(): string {
    const end = this.data.indexOf(0, this.pos);
    if (end < 0) throw new FormatError(this.source, this.base + this.pos, 'NUL-terminated string');
    const s = Buffer.from(this.data.subarray(this.pos, end)).toString('utf8');
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Uint8Array { this.need(n, `${n} bytes`); const b = this.data.subarray(this.pos, this.pos + n); this.pos += n; return b; }
}

function readerFor(elf: ElfFile, sec: ElfSection): Reader {
  return new Reader(sec.data, new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength),
    elf.byteOrder === 'little', `${elf.source}:${sec.name}`, sec.offset);
}

function strAt(sec: ElfSection | undefined, off: number, source: string): string {
  if (!sec) throw new FormatError(source, 0, 'a string section for a DWARF string form');
  if (off >= sec.data.length) throw new FormatError(`${source}:${sec.name}`, sec.offset + off, 'string offset inside the section');
  const end = sec.data.indexOf(0, off);
  return Buffer.from(sec.data.subarray(off, end < 0 ? sec.data.length : end)).toString('utf8');
}

interface Abbrev { tag: number; children: boolean; specs: { at: number; form: number; implicit?: number }[] }

function parseAbbrevs(r: Reader, offset: number): Map<number, Abbrev> {
  const out = new Map<number, Abbrev>();
  r.pos = offset;
  for (;;) {
    const code = r.uleb();
    if (code === 0) return out;
    const tag = r.uleb();
    const children = r.u8() !== 0;
    const specs: Abbrev['specs'] = [];
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      specs.push(form === 0x21 ? { at, form, implicit: r.sleb() } : { at, form });
    }
    out.set(code, { tag, children, specs });
  }
}

/** Reads one attribute value of `form`; strings are resolved later (strx needs str_offsets_base). */
function readForm(r: Reader, form: number, addrSize: number, implicit?: number): AttrValue {
  switch (form) {
    case 0x01: return { form, value: addrSize === 8 ? r.u64() : r.u32() };
    case 0x03: return { form, value: 0, bytes: r.bytes(r.u16()) };
    case 0x04: return { form, value: 0, bytes: r.bytes(r.u32()) };
    case 0x05: return { form, value: r.u16() };
    case 0x06: return { form, value: r.u32() };
    case 0x07: return { form, value: r.u64() };
    case 0x08: return { form, value: 0, str: r.cstr() };
    case 0x09: case 0x18: return { form, value: 0, bytes: r.bytes(r.uleb()) };
    case 0x0a: return { form, value: 0, bytes: r.bytes(r.u8()) };
    case 0x0b: case 0x0c: case 0x11: case 0x25: case 0x29: return { form, value: r.u8() };
    case 0x0d: return { form, value: r.sleb() };
    case 0x0e: case 0x10: case 0x13: case 0x17: case 0x1c: case 0x1d: case 0x1f: case 0x28: case 0x2c:
      return { form, value: r.u32() };
    case 0x0f: case 0x15: case 0x1a: case 0x1b: case 0x22: case 0x23: return { form, value: r.uleb() };
    case 0x12: case 0x26: case 0x2a: return { form, value: r.u16() };
    case 0x14: case 0x20: return { form, value: r.u64() };
    case 0x16: return readForm(r, r.uleb(), addrSize);
    case 0x19: return { form, value: 1 };
    case 0x1e: return { form, value: 0, bytes: r.bytes(16) };
    case 0x21: return { form, value: implicit ?? 0 };
    case 0x27: case 0x2b: { const b = r.bytes(3); return { form, value: r.le ? b[0]! | (b[1]! << 8) | (b[2]! << 16) : (b[0]! << 16) | (b[1]! << 8) | b[2]! }; }
    default: throw new FormatError(r.source, r.base + r.pos, `a known DWARF form (got 0x${form.toString(16)})`);
  }
}

const REF_FORMS = new Set([0x11, 0x12, 0x13, 0x14, 0x15]);
const STRX_FORMS = new Set([0x1a, 0x25, 0x26, 0x27, 0x28]);
const ADDRX_FORMS = new Set([0x1b, 0x29, 0x2a, 0x2b, 0x2c]);

/** Reads the DWARF of `elf`, or returns undefined when it has no `.debug_info` (compiled without -g). */
export function readDwarf(elf: ElfFile): DwarfInfo | undefined {
  const info = elf.sectionByName('.debug_info');
  const abbrevSec = elf.sectionByName('.debug_abbrev');
  if (!info || !abbrevSec) return undefined;
  const strSec = elf.sectionByName('.debug_str');
  const lineStrSec = elf.sectionByName('.debug_line_str');
  const strOffSec = elf.sectionByName('.debug_str_offsets');
  const addrSec = elf.sectionByName('.debug_addr');
  const loclistsSec = elf.sectionByName('.debug_loclists');
  const lineSec = elf.sectionByName('.debug_line');

  // .debug_addr slots: in a relocatable object each is "section symbol + in-place addend".
  const addrSymbolSection = new Map<number, number>();
  if (addrSec) for (const rel of elf.relocationsFor(addrSec)) addrSymbolSection.set(rel.offset, rel.symbol.shndx);

  const structs = new Map<string, DwarfStruct>();
  const variables: DwarfVariable[] = [];
  const r = readerFor(elf, info);
  const ar = readerFor(elf, abbrevSec);

  while (r.pos < info.data.length) {
    const unitStart = r.pos;
    const unitLength = r.u32();
    if (unitLength >= 0xfffffff0) throw new FormatError(r.source, r.base + unitStart, '32-bit DWARF unit (64-bit DWARF is not used by BPF objects)');
    const unitEnd = r.pos + unitLength;
    const version = r.u16();
    let addrSize: number, abbrevOff: number;
    if (version >= 5) {
      r.u8(); // unit_type
      addrSize = r.u8();
      abbrevOff = r.u32();
    } else if (version >= 2) {
      abbrevOff = r.u32();
      addrSize = r.u8();
    } else {
      throw new FormatError(r.source, r.base + unitStart + 4, `DWARF version 2..5, got ${version}`);
    }
    const abbrevs = parseAbbrevs(ar, abbrevOff);
    const dies = new Map<number, Die>();
    const stack: Die[] = [];
    let root: Die | undefined;
    while (r.pos < unitEnd) {
      const offset = r.pos;
      const code = r.uleb();
      if (code === 0) { stack.pop(); continue; }
      const ab = abbrevs.get(code);
      if (!ab) throw new FormatError(r.source, r.base + offset, `a known abbreviation code (got ${code})`);
      const attrs = new Map<number, AttrValue>();
      for (const s of ab.specs) {
        const v = readForm(r, s.form, addrSize, s.implicit);
        // Unit-relative references become section offsets so that one map serves the unit.
        if (REF_FORMS.has(s.form)) v.value += unitStart;
        attrs.set(s.at, v);
      }
      const die: Die = { offset, tag: ab.tag, attrs, children: [], parent: stack[stack.length - 1] };
      dies.set(offset, die);
      if (die.parent) die.parent.children.push(die); else root ??= die;
      if (ab.children) stack.push(die);
    }
    r.pos = unitEnd;
    if (!root) continue;

    const strOffBase = root.attrs.get(DW_AT.str_offsets_base)?.value ?? 8;
    const addrBase = root.attrs.get(DW_AT.addr_base)?.value ?? 8;
    const loclistsBase = root.attrs.get(DW_AT.loclists_base)?.value ?? 12;
    const le = elf.byteOrder === 'little';
    const u32At = (sec: ElfSection, off: number): number => {
      if (off + 4 > sec.data.length) throw new FormatError(`${elf.source}:${sec.name}`, sec.offset + off, 'u32 inside the section');
      return new DataView(sec.data.buffer, sec.data.byteOffset, sec.data.byteLength).getUint32(off, le);
    };
    const str = (v: AttrValue | undefined): string | undefined => {
      if (!v) return undefined;
      if (v.str !== undefined) return v.str;
      if (v.form === 0x0e) return strAt(strSec, v.value, elf.source);
      if (v.form === 0x1f) return strAt(lineStrSec, v.value, elf.source);
      if (STRX_FORMS.has(v.form)) {
        if (!strOffSec) throw new FormatError(elf.source, 0, '.debug_str_offsets for a DW_FORM_strx attribute');
        return strAt(strSec, u32At(strOffSec, strOffBase + v.value * 4), elf.source);
      }
      return undefined;
    };
    const addr = (v: AttrValue | undefined): { section: number; value: number } | undefined => {
      if (!v) return undefined;
      if (ADDRX_FORMS.has(v.form)) {
        if (!addrSec) return undefined;
        const at = addrBase + v.value * addrSize;
        const lo = u32At(addrSec, at + (le ? 0 : 4));
        return { section: addrSymbolSection.get(at) ?? -1, value: lo };
      }
      if (v.form === 0x01) return { section: -1, value: v.value };
      return undefined;
    };
    const files = lineSec && root.attrs.has(DW_AT.stmt_list)
      ? readLineFiles(elf, lineSec, root.attrs.get(DW_AT.stmt_list)!.value, str(root.attrs.get(0x1b /* comp_dir */)))
      : [];

    // Types: resolve a DW_AT_type reference to a name and (for pointers to structs) the struct.
    const structOf = new Map<number, DwarfStruct>();
    const target = (d: Die): Die | undefined => {
      const t = d.attrs.get(DW_AT.type);
      return t ? dies.get(t.value) : undefined;
    };
    const origin = (d: Die): Die => {
      const o = d.attrs.get(DW_AT.abstract_origin);
      return (o && dies.get(o.value)) || d;
    };
    const typeName = (d: Die | undefined, depth = 0): string => {
      if (!d) return 'void';
      if (depth > 16) return '?';
      const n = str(d.attrs.get(DW_AT.name));
      switch (d.tag) {
        case DW_TAG.structure_type: return `struct ${n ?? '(anon)'}`;
        case DW_TAG.union_type: return `union ${n ?? '(anon)'}`;
        case DW_TAG.enumeration_type: return `enum ${n ?? '(anon)'}`;
        case DW_TAG.pointer_type: return `${typeName(target(d), depth + 1)} *`;
        case DW_TAG.const_type: return `const ${typeName(target(d), depth + 1)}`;
        case DW_TAG.volatile_type: return `volatile ${typeName(target(d), depth + 1)}`;
        case DW_TAG.array_type: {
          const sub = d.children.find((c) => c.tag === DW_TAG.subrange_type);
          const count = sub?.attrs.get(DW_AT.count)?.value ?? (sub?.attrs.has(DW_AT.upper_bound) ? sub.attrs.get(DW_AT.upper_bound)!.value + 1 : undefined);
          return `${typeName(target(d), depth + 1)}[${count ?? ''}]`;
        }
        default: return n ?? '?';
      }
    };
    const sizeOf = (d: Die | undefined, depth = 0): number => {
      if (!d || depth > 16) return 0;
      const bs = d.attrs.get(DW_AT.byte_size);
      if (bs) return bs.value;
      if (d.tag === DW_TAG.pointer_type) return addrSize;
      if (d.tag === DW_TAG.array_type) {
        const sub = d.children.find((c) => c.tag === DW_TAG.subrange_type);
        const count = sub?.attrs.get(DW_AT.count)?.value ?? (sub?.attrs.has(DW_AT.upper_bound) ? sub.attrs.get(DW_AT.upper_bound)!.value + 1 : 0);
        return count * sizeOf(target(d), depth + 1);
      }
      return sizeOf(target(d), depth + 1);
    };
    const asStruct = (d: Die): DwarfStruct | undefined => {
      if (d.tag !== DW_TAG.structure_type && d.tag !== DW_TAG.union_type) return undefined;
      if (d.attrs.has(DW_AT.declaration)) return undefined;
      const cached = structOf.get(d.offset);
      if (cached) return cached;
      const fileIdx = d.attrs.get(DW_AT.decl_file)?.value;
      const s: DwarfStruct = {
        kind: d.tag === DW_TAG.structure_type ? 'struct' : 'union',
        name: str(d.attrs.get(DW_AT.name)) ?? '',
        size: d.attrs.get(DW_AT.byte_size)?.value ?? 0,
        members: [],
        declFile: fileIdx !== undefined ? files[fileIdx] : undefined,
        declLine: d.attrs.get(DW_AT.decl_line)?.value,
      };
      structOf.set(d.offset, s);
      for (const m of d.children) {
        if (m.tag !== DW_TAG.member) continue;
        const loc = m.attrs.get(DW_AT.data_member_location);
        const dbo = m.attrs.get(DW_AT.data_bit_offset);
        const bitOffset = dbo ? dbo.value : (loc && !loc.bytes ? loc.value * 8 : 0);
        s.members.push({
          name: str(m.attrs.get(DW_AT.name)) ?? '',
          offset: Math.floor(bitOffset / 8),
          bitOffset,
          bitSize: m.attrs.get(DW_AT.bit_size)?.value ?? 0,
          size: sizeOf(target(m)),
          typeName: typeName(target(m)),
        });
      }
      return s;
    };
    const pointee = (d: Die | undefined, depth = 0): DwarfStruct | undefined => {
      // Skip typedefs/qualifiers down to the pointer, then down to the struct.
      let t = d;
      for (let i = 0; t && t.tag !== DW_TAG.pointer_type && i < 16; i++) t = target(t);
      if (!t || depth > 0) return undefined;
      let p = target(t);
      for (let i = 0; p && p.tag !== DW_TAG.structure_type && p.tag !== DW_TAG.union_type && i < 16; i++) p = target(p);
      return p ? asStruct(p) : undefined;
    };

    // Location lists: DW_LLE entries (DWARF 5) giving register locations over pc ranges.
    const regOf = (expr: Uint8Array | undefined): number | undefined => {
      if (!expr || expr.length === 0) return undefined;
      if (expr[0]! >= 0x50 && expr[0]! <= 0x6f && expr.length === 1) return expr[0]! - 0x50;
      return undefined;
    };
    const locRanges = (v: AttrValue, scope: { section: number; start: number; end: number } | undefined): RegRange[] => {
      if (v.bytes) { // exprloc: valid over the enclosing scope
        const reg = regOf(v.bytes);
        return reg !== undefined && scope ? [{ ...scope, reg }] : [];
      }
      if (!loclistsSec || version < 5) return [];
      const off = v.form === 0x22 ? loclistsBase + u32At(loclistsSec, loclistsBase + v.value * 4) : v.value;
      const lr = readerFor(elf, loclistsSec);
      lr.pos = off;
      const out: RegRange[] = [];
      let base = scope ? { section: scope.section, value: scope.start } : { section: -1, value: 0 };
      const addrx = (i: number) => addr({ form: 0x1b, value: i }) ?? { section: -1, value: 0 };
      for (let guard = 0; guard < 10000; guard++) {
        const kind = lr.u8();
        if (kind === 0) break;
        let start: { section: number; value: number }, end: number;
        switch (kind) {
          case 1: base = addrx(lr.uleb()); continue;
          case 2: { start = addrx(lr.uleb()); end = addrx(lr.uleb()).value; break; }
          case 3: { start = addrx(lr.uleb()); end = start.value + lr.uleb(); break; }
          case 4: { const a = lr.uleb(), b = lr.uleb(); start = { section: base.section, value: base.value + a }; end = base.value + b; break; }
          case 5: { lr.bytes(lr.uleb()); continue; }
          case 6: base = { section: -1, value: addrSize === 8 ? lr.u64() : lr.u32() }; continue;
          case 7: { start = { section: -1, value: lr.u64() }; end = lr.u64(); break; }
          case 8: { start = { section: -1, value: lr.u64() }; end = start.value + lr.uleb(); break; }
          default: throw new FormatError(lr.source, lr.base + lr.pos - 1, `a DW_LLE_* entry kind (got ${kind})`);
        }
        const reg = regOf(lr.bytes(lr.uleb()));
        if (reg !== undefined) out.push({ section: start.section, start: start.value, end, reg });
      }
      return out;
    };

    // Walk the tree: collect structs, and variables with the pc scope of their enclosing subprogram.
    const walk = (d: Die, scope: { section: number; start: number; end: number } | undefined, depth = 0): void => {
      if (depth > 256) throw new FormatError(`${elf.source}:.debug_info`, info.offset + d.offset, 'DIE nesting of at most 256 levels');
      if (d.tag === DW_TAG.structure_type || d.tag === DW_TAG.union_type) {
        const s = asStruct(d);
        if (s && s.name && !structs.has(s.name)) structs.set(s.name, s);
      }
      let inner = scope;
      if (d.tag === DW_TAG.subprogram || d.tag === DW_TAG.lexical_block || d.tag === DW_TAG.inlined_subroutine) {
        const lo = addr(d.attrs.get(DW_AT.low_pc));
        const hi = d.attrs.get(DW_AT.high_pc);
        if (lo && hi) inner = { section: lo.section, start: lo.value, end: hi.form === 0x01 || ADDRX_FORMS.has(hi.form) ? (addr(hi)?.value ?? lo.value) : lo.value + hi.value };
      }
      // A variable optimised out entirely (no DW_AT_location) is still in scope with its declared type: the
      // source-line evidence (`meta->field` on the access's line) needs exactly that.
      if ((d.tag === DW_TAG.variable || d.tag === DW_TAG.formal_parameter) && d.parent?.tag !== DW_TAG.compile_unit) {
        const o = origin(d);
        const t = target(o);
        variables.push({
          name: str(o.attrs.get(DW_AT.name)) ?? '',
          typeName: typeName(t),
          pointee: pointee(t),
          ranges: d.attrs.has(DW_AT.location) ? locRanges(d.attrs.get(DW_AT.location)!, inner) : [],
          scope: inner,
        });
      }
      for (const c of d.children) walk(c, inner, depth + 1);
    };
    walk(root, undefined);
  }

  return {
    structs,
    variables,
    variableInRegister(section, pc, reg) {
      let best: DwarfVariable | undefined;
      for (const v of variables) {
        if (v.ranges.some((x) => x.reg === reg && x.section === section && pc >= x.start && pc < x.end)) {
          // Prefer a variable that points at a struct: it is what the check asks about.
          if (!best || (!best.pointee && v.pointee)) best = v;
        }
      }
      return best;
    },
    variablesNamed(name, section, pc) {
      return variables
        .filter((v) => v.name === name && v.scope && v.scope.section === section && pc >= v.scope.start && pc < v.scope.end)
        .sort((a, b) => (a.scope!.end - a.scope!.start) - (b.scope!.end - b.scope!.start));
    },
  };
}

/** File names of a DWARF 5 line-table header (index → path); [] for older versions. */
function readLineFiles(elf: ElfFile, sec: ElfSection, offset: number, compDir: string | undefined): string[] {
  const r = readerFor(elf, sec);
  r.pos = offset;
  r.u32();
  const version = r.u16();
  if (version < 5) return [];
  r.u8(); r.u8(); // address_size, seg_sel_size
  r.u32(); // header_length
  r.u8(); r.u8(); r.u8(); r.u8(); r.u8(); // min_inst_length, max_ops, default_is_stmt, line_base, line_range
  const opcodeBase = r.u8();
  r.bytes(Math.max(0, opcodeBase - 1));
  const strSec = elf.sectionByName('.debug_str');
  const lineStrSec = elf.sectionByName('.debug_line_str');
  const readEntries = (): Map<number, string | number>[] => {
    const fmtCount = r.u8();
    const fmts: [number, number][] = [];
    for (let i = 0; i < fmtCount; i++) fmts.push([r.uleb(), r.uleb()]);
    const n = r.uleb();
    // Every entry takes at least one byte: a larger count is corrupt (and would spin on empty formats).
    if (n > r.data.length - r.pos || (fmts.length === 0 && n > 0)) throw new FormatError(r.source, r.base + r.pos, `a line-table entry count that fits the section (got ${n})`);
    const out: Map<number, string | number>[] = [];
    for (let i = 0; i < n; i++) {
      const e = new Map<number, string | number>();
      for (const [ct, form] of fmts) {
        const v = readForm(r, form, 8);
        const s = v.str ?? (form === 0x1f ? strAt(lineStrSec, v.value, elf.source) : form === 0x0e ? strAt(strSec, v.value, elf.source) : undefined);
        e.set(ct, s ?? v.value);
      }
      out.push(e);
    }
    return out;
  };
  const dirs = readEntries().map((e) => String(e.get(1) ?? ''));
  const files = readEntries();
  return files.map((e) => {
    const name = String(e.get(1) ?? '');
    if (name.startsWith('/')) return name;
    // Directory entry 0 is the compilation directory; the others may be relative to it.
    const root = dirs[0] || compDir || '';
    const dir = dirs[Number(e.get(2) ?? 0)] ?? root;
    return path.posix.normalize(path.posix.join(dir.startsWith('/') ? '' : root, dir, name));
  });
}
