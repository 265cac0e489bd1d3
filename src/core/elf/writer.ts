// ELF64 little-endian relocatable writer: lays out given sections after the header, then the section header table.
import { XdpMetaError } from '../util/errors';

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SHT_NOBITS = 8;

export interface OutSection {
  /** Offset of the name in the section name string table (e_shstrndx); see StringTable. */
  nameOff: number;
  type: number;
  flags: number;
  data: Uint8Array;
  /** sh_size of an SHT_NOBITS section (it has no data in the file); otherwise data.length. */
  nobitsSize?: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

/** A string table being built: "" at offset 0, each distinct string stored once. */
export class StringTable {
  private readonly parts: Buffer[] = [Buffer.from([0])];
  private readonly offsets = new Map<string, number>([['', 0]]);
  private size = 1;

  add(s: string): number {
    const known = this.offsets.get(s);
    if (known !== undefined) return known;
    const off = this.size;
    const b = Buffer.from(`${s}\0`, 'utf8');
    this.parts.push(b);
    this.size += b.length;
    this.offsets.set(s, off);
    return off;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

export interface ElfImage {
  /** e_type (1 = ET_REL). */
  type: number;
  machine: number;
  /** e_flags, kept from the input. */
  flags: number;
  /** Section 0 must be the null section. */
  sections: OutSection[];
  shstrndx: number;
}

/** Serializes `img`: section data in order, each at its alignment, the section headers last (8-aligned). */
export function writeElf(img: ElfImage): Uint8Array {
  if (img.sections.length >= 0xff00) throw new XdpMetaError(`ELF writer: ${img.sections.length} sections need extended numbering, which it does not write`);
  const align = (n: number, a: number) => (a > 1 ? Math.ceil(n / a) * a : n);
  const offsets: number[] = [];
  let at = EHDR_SIZE;
  for (const [i, s] of img.sections.entries()) {
    if (i === 0) {
      offsets.push(0);
      continue;
    }
    at = align(at, Math.max(1, s.addralign));
    offsets.push(at);
    at += s.type === SHT_NOBITS ? 0 : s.data.length;
  }
  const shoff = align(at, 8);
  const out = new Uint8Array(shoff + img.sections.length * SHDR_SIZE);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELFCLASS64, ELFDATA2LSB, EV_CURRENT
  v.setUint16(16, img.type, true);
  v.setUint16(18, img.machine, true);
  v.setUint32(20, 1, true);
  v.setBigUint64(40, BigInt(shoff), true);
  v.setUint32(48, img.flags, true);
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(58, SHDR_SIZE, true);
  v.setUint16(60, img.sections.length, true);
  v.setUint16(62, img.shstrndx, true);
  for (const [i, s] of img.sections.entries()) {
    if (i === 0) continue;
    if (s.type !== SHT_NOBITS) out.set(s.data, offsets[i]!);
    const h = shoff + i * SHDR_SIZE;
    v.setUint32(h, s.nameOff, true);
    v.setUint32(h + 4, s.type, true);
    v.setBigUint64(h + 8, BigInt(s.flags), true);
    v.setBigUint64(h + 24, BigInt(offsets[i]!), true);
    v.setBigUint64(h + 32, BigInt(s.type === SHT_NOBITS ? s.nobitsSize ?? 0 : s.data.length), true);
    v.setUint32(h + 40, s.link, true);
    v.setUint32(h + 44, s.info, true);
    v.setBigUint64(h + 48, BigInt(s.addralign), true);
    v.setBigUint64(h + 56, BigInt(s.entsize), true);
  }
  return out;
}
