// ELF64 reader (little- and big-endian): section headers, .symtab and REL/RELA relocations, every read bounds-checked.
import { readFileSync } from 'node:fs';
import { FormatError, XdpMetaError } from '../util/errors';
import { ByteView, cString } from './bytes';
import { SHN, SHT } from './types';
import type { ElfByteOrder, ElfFile, ElfRelocation, ElfSection, ElfSymbol } from './types';

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;
/** Section indexes from here up are reserved (SHN_ABS, SHN_COMMON, ...), not sections. */
const SHN_LORESERVE = 0xff00;

/** Parses an ELF64 object from bytes; `source` names it in errors. */
export function parseElf(bytes: Uint8Array, source: string): ElfFile {
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new FormatError(source, 0, 'ELF magic \\x7fELF');
  }
  if (bytes[4] !== 2) throw new FormatError(source, 4, `ELFCLASS64 (2), got ${bytes[4]}`);
  if (bytes[5] !== 1 && bytes[5] !== 2) throw new FormatError(source, 5, `ELFDATA2LSB (1) or ELFDATA2MSB (2), got ${bytes[5]}`);
  const byteOrder: ElfByteOrder = bytes[5] === 1 ? 'little' : 'big';
  const r = new ByteView(bytes, source, byteOrder === 'little');
  r.need(0, EHDR_SIZE, 'ELF64 header');
  const type = r.u16(16, 'e_type');
  const machine = r.u16(18, 'e_machine');
  const shoff = r.u64n(40, 'e_shoff');
  const shentsize = r.u16(58, 'e_shentsize');
  let shnum = r.u16(60, 'e_shnum');
  let shstrndx = r.u16(62, 'e_shstrndx');
  if (shoff === 0) return new Elf(source, byteOrder, machine, type, bytes, [], []);
  if (shentsize !== SHDR_SIZE) throw new FormatError(source, 58, `e_shentsize ${SHDR_SIZE}, got ${shentsize}`);
  // Extended numbering: section 0 carries the real count / string table index.
  if (shnum === 0) shnum = r.u64n(shoff + 32, 'section 0 sh_size (extended e_shnum)');
  if (shstrndx === SHN.XINDEX) shstrndx = r.u32(shoff + 40, 'section 0 sh_link (extended e_shstrndx)');
  r.need(shoff, shnum * SHDR_SIZE, `${shnum} section headers at e_shoff`);

  interface RawSection { name: number; type: number; flags: number; offset: number; size: number; link: number; info: number; addralign: number; entsize: number; at: number }
  const raw: RawSection[] = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * SHDR_SIZE;
    const flagsBig = r.view.getBigUint64(at + 8, r.le);
    raw.push({
      name: r.u32(at, 'sh_name'), type: r.u32(at + 4, 'sh_type'),
      flags: Number(flagsBig & 0xffffffffn),
      offset: r.u64n(at + 24, 'sh_offset'), size: r.u64n(at + 32, 'sh_size'),
      link: r.u32(at + 40, 'sh_link'), info: r.u32(at + 44, 'sh_info'),
      addralign: r.u64n(at + 48, 'sh_addralign'), entsize: r.u64n(at + 56, 'sh_entsize'), at,
    });
  }
  if (shstrndx >= shnum) throw new FormatError(source, 62, `e_shstrndx below ${shnum}, got ${shstrndx}`);
  const shstr = raw[shstrndx]!;
  const shstrtab = r.slice(shstr.offset, shstr.size, `section name string table (section ${shstrndx})`);
  const sections: ElfSection[] = raw.map((s, index) => ({
    index,
    name: index === 0 && s.name === 0 ? '' : cString(shstrtab, s.name, source, shstr.offset, `name of section ${index}`),
    type: s.type, flags: s.flags, offset: s.offset, size: s.size, link: s.link, info: s.info,
    addralign: s.addralign, entsize: s.entsize,
    data: s.type === SHT.NOBITS || s.type === SHT.NULL ? new Uint8Array(0)
      : r.slice(s.offset, s.size, `contents of section ${index} (sh_offset ${s.offset}, sh_size ${s.size})`),
  }));

  const symtab = sections.find((s) => s.type === SHT.SYMTAB);
  const symbols = symtab ? readSymbols(r, sections, symtab) : [];
  return new Elf(source, byteOrder, machine, type, bytes, sections, symbols);
}

function readSymbols(r: ByteView, sections: ElfSection[], symtab: ElfSection): ElfSymbol[] {
  if (symtab.entsize !== SYM_SIZE) throw new FormatError(r.source, symtab.offset, `.symtab sh_entsize ${SYM_SIZE}, got ${symtab.entsize}`);
  if (symtab.size % SYM_SIZE !== 0) throw new FormatError(r.source, symtab.offset, `.symtab size a multiple of ${SYM_SIZE}, got ${symtab.size}`);
  const strtab = sections[symtab.link];
  if (!strtab || strtab.type !== SHT.STRTAB) throw new FormatError(r.source, symtab.offset, `.symtab sh_link naming a string table, got ${symtab.link}`);
  const n = symtab.size / SYM_SIZE;
  const shnum = sections.length;
  const out: ElfSymbol[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const nameOff = r.u32(at, 'st_name');
    const info = r.u8(at + 4, 'st_info');
    const shndx = r.u16(at + 6, 'st_shndx');
    // Below SHN_LORESERVE an index must name a section (code reading the symbol indexes sections with it).
    if (shndx >= shnum && shndx < SHN_LORESERVE) {
      throw new FormatError(r.source, at, `symbol ${i}: st_shndx below e_shnum ${shnum} (or a reserved index), got ${shndx}`);
    }
    out[i] = {
      index: i,
      name: nameOff === 0 ? '' : cString(strtab.data, nameOff, r.source, strtab.offset, `name of symbol ${i}`),
      type: info & 0xf, bind: info >> 4, visibility: r.u8(at + 5, 'st_other') & 3,
      shndx, value: r.u64n(at + 8, 'st_value'), size: r.u64n(at + 16, 'st_size'),
    };
  }
  return out;
}

class Elf implements ElfFile {
  private readonly relocCache = new Map<number, readonly ElfRelocation[]>();

  constructor(
    readonly source: string,
    readonly byteOrder: ElfByteOrder,
    readonly machine: number,
    readonly type: number,
    readonly bytes: Uint8Array,
    readonly sections: readonly ElfSection[],
    readonly symbols: readonly ElfSymbol[],
  ) {}

  sectionByName(name: string): ElfSection | undefined {
    return this.sections.find((s) => s.name === name);
  }

  relocationsFor(section: ElfSection | number): readonly ElfRelocation[] {
    const index = typeof section === 'number' ? section : section.index;
    const cached = this.relocCache.get(index);
    if (cached) return cached;
    const target = this.sections[index];
    if (!target) throw new XdpMetaError(`${this.source}: no section ${index}`);
    const out: ElfRelocation[] = [];
    for (const rs of this.sections) {
      if ((rs.type !== SHT.REL && rs.type !== SHT.RELA) || rs.info !== index) continue;
      this.readRelocations(rs, target, out);
    }
    out.sort((a, b) => a.offset - b.offset);
    this.relocCache.set(index, out);
    return out;
  }

  private readRelocations(rs: ElfSection, target: ElfSection, out: ElfRelocation[]): void {
    const rela = rs.type === SHT.RELA;
    const size = rela ? RELA_SIZE : REL_SIZE;
    const what = rela ? 'SHT_RELA' : 'SHT_REL';
    if (rs.size % size !== 0) throw new FormatError(this.source, rs.offset, `${what} section ${rs.name} size a multiple of ${size}, got ${rs.size}`);
    const r = new ByteView(this.bytes, this.source, this.byteOrder === 'little');
    for (let at = rs.offset; at < rs.offset + rs.size; at += size) {
      const offset = r.u64n(at, 'r_offset');
      r.need(at + 8, 8, 'r_info');
      const symbolIndex = r.view.getUint32(at + (r.le ? 12 : 8), r.le);
      const type = r.view.getUint32(at + (r.le ? 8 : 12), r.le);
      const symbol = this.symbols[symbolIndex];
      if (!symbol) throw new FormatError(this.source, at + 8, `relocation symbol index below ${this.symbols.length}, got ${symbolIndex}`);
      if (offset >= target.size && target.type !== SHT.NOBITS) {
        throw new FormatError(this.source, at, `r_offset inside ${target.name} (${target.size} bytes), got ${offset}`);
      }
      out.push({ offset, symbolIndex, symbol, type, addend: rela ? r.i64n(at + 16, 'r_addend') : 0 });
    }
  }
}

/** Reads and parses an ELF file; I/O errors become XdpMetaError naming the path. */
export function readElfFile(path: string): ElfFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new XdpMetaError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  return parseElf(bytes, path);
}

/** True when the bytes start with the ELF magic (used to tell objects from raw BTF). */
export function isElf(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46;
}
