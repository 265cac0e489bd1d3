// Rewrites a BPF object so an entry program becomes a global .text function `__xdpmeta_inner_<entry>` another object can call.
//
// Why: libbpf's static linker (bpftool gen object) only links BPF-to-BPF calls into .text subprograms,
// while an entry lives in its own section (e.g. "xdp"). Its code therefore moves into .text: appended
// after the object's own subprograms (8-aligned), with its symbols, relocations and .BTF.ext records
// shifted by the same amount, and the entry's symbol and BTF FUNC renamed (linkage global). Programs
// sharing its section stay there and close the gap.
// DWARF, .rel.BTF/.rel.BTF.ext and .llvm_addrsig are dropped: the linker ignores them anyway.
import { moveEntryInBtf } from '../btf/entry-move';
import { XdpMetaError } from '../util/errors';
import { functionsIn, programSections } from './bpf';
import { EM_BPF, SHF, SHN, SHT, STB, STT } from './types';
import type { ElfFile, ElfFunction, ElfSection, ElfSymbol } from './types';
import { StringTable, writeElf, type OutSection } from './writer';

export const INNER_PREFIX = '__xdpmeta_inner_';
const ET_REL = 1;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const SHN_LORESERVE = 0xff00;

/** The rewrite cannot be done for this object (the reason names the file, section or symbol). */
export class EntryRewriteError extends XdpMetaError {}

export interface EntryToText {
  bytes: Uint8Array;
  /** The entry's new name: `__xdpmeta_inner_<entry>`. */
  inner: string;
  /** The section the entry came from (the wrapper's entry goes back there). */
  section: string;
  /** Byte offset of the entry's code in the new .text (0 when .text was empty or absent). */
  shift: number;
}

/** Sections the linker ignores: DWARF, .llvm_addrsig, and relocations of those and of .BTF/.BTF.ext. */
function dropped(elf: ElfFile, s: ElfSection): boolean {
  if (s.name.startsWith('.debug_') || s.type === SHT.LLVM_ADDRSIG) return true;
  if (s.type === SHT.REL || s.type === SHT.RELA) {
    const target = elf.sections[s.info];
    return !target || target.name === '.BTF' || target.name === '.BTF.ext' || target.name.startsWith('.debug_') || target.type === SHT.LLVM_ADDRSIG;
  }
  return false;
}

interface Rel { offset: number; sym: number; type: number }

function readRels(elf: ElfFile, rs: ElfSection): Rel[] {
  if (rs.type !== SHT.REL) throw new EntryRewriteError(`${elf.source}: ${rs.name} is SHT_RELA; BPF objects use SHT_REL, and link-time wrapping handles only those`);
  const target = elf.sections[rs.info];
  const v = new DataView(rs.data.buffer, rs.data.byteOffset, rs.data.byteLength);
  const out: Rel[] = [];
  for (let at = 0; at + REL_SIZE <= rs.data.length; at += REL_SIZE) {
    const r = { offset: Number(v.getBigUint64(at, true)), type: v.getUint32(at + 8, true), sym: v.getUint32(at + 12, true) };
    if (!target || (target.type !== SHT.NOBITS && r.offset >= target.size)) {
      throw new EntryRewriteError(`${elf.source}: ${rs.name}: relocation at offset ${r.offset} outside ${target?.name ?? `section ${rs.info}`}`);
    }
    out.push(r);
  }
  return out;
}

function writeRels(rels: Rel[]): Uint8Array {
  const out = new Uint8Array(rels.length * REL_SIZE);
  const v = new DataView(out.buffer);
  rels.forEach((r, i) => {
    v.setBigUint64(i * REL_SIZE, BigInt(r.offset), true);
    v.setUint32(i * REL_SIZE + 8, r.type, true);
    v.setUint32(i * REL_SIZE + 12, r.sym, true);
  });
  return out;
}

/** The entry: a global function in an executable section other than .text, with its byte range there. */
function entryFunction(elf: ElfFile, entry: string): ElfFunction {
  for (const sec of programSections(elf)) {
    if (sec.name === '.text') continue;
    const f = functionsIn(elf, sec).find((x) => x.name === entry);
    if (!f) continue;
    if (!f.global) throw new EntryRewriteError(`${elf.source}: ${entry} in section ${sec.name} is static: libbpf would not load it as a program`);
    if (f.offset % 8 !== 0 || f.size % 8 !== 0) {
      throw new EntryRewriteError(`${elf.source}: ${entry} at offset ${f.offset} of ${sec.name}, ${f.size} bytes: not whole 8-byte instructions`);
    }
    return f;
  }
  throw new EntryRewriteError(`${elf.source}: no program ${entry} (a global function in an executable section other than .text)`);
}

/** The object `elf` with `entry` turned into the global .text function `__xdpmeta_inner_<entry>`. */
export function entryToText(elf: ElfFile, entry: string): EntryToText {
  if (elf.byteOrder !== 'little') throw new EntryRewriteError(`${elf.source}: a big-endian object: link-time wrapping handles little-endian (bpfel) objects only`);
  if (elf.machine !== EM_BPF || elf.type !== ET_REL) {
    throw new EntryRewriteError(`${elf.source}: not a relocatable BPF object (e_machine ${elf.machine}, e_type ${elf.type}; want ${EM_BPF} and ${ET_REL})`);
  }
  const symtab = elf.sections.find((s) => s.type === SHT.SYMTAB);
  if (!symtab) throw new EntryRewriteError(`${elf.source}: no .symtab`);
  const inner = `${INNER_PREFIX}${entry}`;
  if (elf.symbols.some((s) => s.name === inner)) throw new EntryRewriteError(`${elf.source}: already defines ${inner} (wrapped before?)`);
  const fn = entryFunction(elf, entry);
  const from = fn.section;
  // The entry's bytes [lo, hi) of its section move; other programs sharing the section stay, closing the gap.
  const lo = fn.offset;
  const hi = fn.offset + fn.size;
  const whole = lo === 0 && hi === from.size;
  const text = elf.sections.find((s) => s.name === '.text' && s.type === SHT.PROGBITS);
  if (!text && !whole) {
    throw new EntryRewriteError(`${elf.source}: section ${from.name} holds other programs besides ${entry}, and the object has no .text to move it into`);
  }
  // No .text: the entry's section simply becomes .text. Otherwise its code goes after .text's (8-aligned).
  const shift = text ? Math.ceil(text.size / 8) * 8 : 0;
  const moves = (off: number) => off >= lo && off < hi;
  const newOff = (off: number) => (moves(off) ? off - lo + shift : off >= hi ? off - fn.size : off);
  const textOld = text ?? from;
  const relOf = (s: ElfSection) => {
    const rs = elf.sections.filter((r) => (r.type === SHT.REL || r.type === SHT.RELA) && r.info === s.index);
    if (rs.length > 1) throw new EntryRewriteError(`${elf.source}: ${rs.length} relocation sections for ${s.name} (${rs.map((r) => r.name).join(', ')}); a compiler writes one`);
    return rs[0];
  };
  const fromRel = relOf(from);
  const textRel = text ? relOf(text) : undefined;
  const drop = new Set<number>(elf.sections.filter((s) => dropped(elf, s)).map((s) => s.index));
  const fromGone = Boolean(text) && whole;
  if (fromGone) drop.add(from.index);
  // Where .rel.text goes: .text's own, else the entry section's (when all of it moves), else a new section (appended).
  const relTextSlot = textRel ?? (fromRel && whole ? fromRel : undefined);
  if (fromRel && fromGone && relTextSlot !== fromRel) drop.add(fromRel.index);

  // Symbols: section symbols of dropped sections (and of a moved-out section) go; the rest keep their order (locals first).
  const symMap = new Int32Array(elf.symbols.length).fill(-1);
  const kept: ElfSymbol[] = [];
  for (const s of elf.symbols) {
    const inSection = s.shndx !== SHN.UNDEF && s.shndx < SHN_LORESERVE;
    if (s.index > 0 && inSection && drop.has(s.shndx) && s.shndx !== from.index) continue;
    if (s.index > 0 && s.type === STT.SECTION && s.shndx === from.index && fromGone) continue;
    symMap[s.index] = kept.length;
    kept.push(s);
  }
  const firstGlobal = kept.findIndex((s) => s.index > 0 && s.bind !== STB.LOCAL);
  if (firstGlobal >= 0 && kept.slice(firstGlobal).some((s) => s.bind === STB.LOCAL)) {
    throw new EntryRewriteError(`${elf.source}: .symtab has local symbols after global ones (not as an ELF producer writes it)`);
  }

  // Sections: the kept ones in order, with their new indexes; a new .rel.text goes last when needed.
  const secMap = new Int32Array(elf.sections.length).fill(-1);
  const keptSecs = elf.sections.filter((s) => s.index === 0 || !drop.has(s.index));
  keptSecs.forEach((s, i) => { secMap[s.index] = i; });
  const textNew = secMap[textOld.index]!;
  const symShndx = (s: ElfSymbol) => {
    if (s.shndx === SHN.UNDEF || s.shndx >= SHN_LORESERVE) return s.shndx;
    if (s.shndx === from.index) return s.type !== STT.SECTION && moves(s.value) ? textNew : secMap[from.index]!;
    return secMap[s.shndx]!;
  };

  const relsOf = (rs: ElfSection): Rel[] => readRels(elf, rs).map((r) => {
    const sym = symMap[r.sym] ?? -1;
    if (sym < 0) {
      throw new EntryRewriteError(`${elf.source}: ${rs.name}: the relocation at offset ${r.offset} refers to symbol ${r.sym} ` +
        `(${elf.symbols[r.sym]?.name || 'a section symbol'}), which the rewrite removes`);
    }
    return { offset: r.offset, type: r.type, sym };
  });
  const fromRels = fromRel ? relsOf(fromRel) : [];
  const movedRels = fromRels.filter((r) => moves(r.offset)).map((r) => ({ ...r, offset: newOff(r.offset) }));
  const stayRels = fromRels.filter((r) => !moves(r.offset)).map((r) => ({ ...r, offset: newOff(r.offset) }));
  const textRels = [...(textRel ? relsOf(textRel) : []), ...movedRels];

  const strtabOld = elf.sections[symtab.link]!;
  const strtab = new StringTable();
  const shstrtab = new StringTable();
  const shstrOld = findShstrndx(elf);
  const sharedNames = shstrOld === strtabOld.index;
  const secNames = sharedNames ? strtab : shstrtab;

  const btfSec = elf.sectionByName('.BTF');
  const extSec = elf.sectionByName('.BTF.ext');
  const btfEdit = btfSec
    ? moveEntryInBtf(btfSec.data, extSec?.data, elf.source, { entry, inner, fromSection: from.name, lo, hi, shift })
    : undefined;

  const out: OutSection[] = [];
  for (const s of keptSecs) {
    if (s.index === 0) {
      out.push({ nameOff: 0, type: 0, flags: 0, data: new Uint8Array(0), link: 0, info: 0, addralign: 0, entsize: 0 });
      continue;
    }
    let name = s.name;
    let data = s.data;
    let info = s.info;
    let flags = s.flags;
    let addralign = s.addralign;
    if (s === textOld) {
      name = '.text';
      if (text) {
        data = new Uint8Array(shift + fn.size);
        data.set(text.data, 0);
        data.set(from.data.subarray(lo, hi), shift);
        addralign = Math.max(8, text.addralign, from.addralign);
        flags = text.flags | from.flags;
      }
    } else if (s === from) {
      data = new Uint8Array(from.size - fn.size);
      data.set(from.data.subarray(0, lo), 0);
      data.set(from.data.subarray(hi), lo);
    } else if (s === relTextSlot) {
      data = writeRels(textRels);
      name = '.rel.text';
      info = textNew;
    } else if (s === fromRel) {
      data = writeRels(stayRels);
      info = secMap[from.index]!;
    } else if (s.type === SHT.REL) {
      data = writeRels(relsOf(s));
      info = secMap[s.info]!;
    } else if (s === btfSec && btfEdit) {
      data = btfEdit.btf;
    } else if (s === extSec && btfEdit?.ext) {
      data = btfEdit.ext;
    }
    out.push({
      nameOff: secNames.add(name), type: s.type, flags, data, nobitsSize: s.type === SHT.NOBITS ? s.size : undefined,
      link: s.link && secMap[s.link]! >= 0 ? secMap[s.link]! : 0, info, addralign, entsize: s.entsize,
    });
  }
  if (!relTextSlot && textRels.length) {
    out.push({
      nameOff: secNames.add('.rel.text'), type: SHT.REL, flags: SHF.INFO_LINK, data: writeRels(textRels),
      link: secMap[symtab.index]!, info: textNew, addralign: 8, entsize: REL_SIZE,
    });
  }

  // .symtab last: its names go into the (possibly shared) string table, which is then filled in.
  const symData = new Uint8Array(kept.length * SYM_SIZE);
  const sv = new DataView(symData.buffer);
  const raw = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
  kept.forEach((s, i) => {
    const at = i * SYM_SIZE;
    if (s.index === 0) return;
    const o = s.index * SYM_SIZE;
    const name = s.index === fn.symbol.index ? inner : s.name;
    sv.setUint32(at, name ? strtab.add(name) : 0, true);
    symData[at + 4] = raw.getUint8(o + 4);
    symData[at + 5] = raw.getUint8(o + 5);
    sv.setUint16(at + 6, symShndx(s), true);
    sv.setBigUint64(at + 8, BigInt(s.shndx === from.index && s.type !== STT.SECTION ? newOff(s.value) : s.value), true);
    sv.setBigUint64(at + 16, raw.getBigUint64(o + 16, true), true);
  });
  const symOut = out[secMap[symtab.index]!]!;
  symOut.data = symData;
  symOut.info = firstGlobal >= 0 ? firstGlobal : kept.length;
  out[secMap[strtabOld.index]!]!.data = strtab.bytes();
  if (!sharedNames) out[secMap[shstrOld]!]!.data = shstrtab.bytes();
  const flagsWord = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength).getUint32(48, true);
  const bytes = writeElf({ type: elf.type, machine: elf.machine, flags: flagsWord, sections: out, shstrndx: secMap[shstrOld]! });
  return { bytes, inner, section: from.name, shift };
}

/** e_shstrndx (the reader resolved names with it; read again here to know which section to rewrite). */
function findShstrndx(elf: ElfFile): number {
  const v = new DataView(elf.bytes.buffer, elf.bytes.byteOffset, elf.bytes.byteLength);
  const idx = v.getUint16(62, true);
  if (idx === SHN.XINDEX || !elf.sections[idx] || elf.sections[idx].type !== SHT.STRTAB) {
    throw new EntryRewriteError(`${elf.source}: e_shstrndx ${idx} does not name a string table this rewrite can handle`);
  }
  return idx;
}
