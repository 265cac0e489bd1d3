// .BTF.ext reader: func_info, line_info (instruction -> file:line:col) and core_relo records, grouped per section.
import { FormatError, XdpMetaError } from '../util/errors';
import type { ElfFile } from '../elf/types';
import type { Btf } from './types';
import { btfByteOrder } from './wire';

/** enum bpf_core_relo_kind (libbpf/kernel), index = wire value. */
export const BPF_CORE_RELO_KIND_NAMES = [
  'FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64', 'FIELD_RSHIFT_U64',
  'TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE', 'ENUMVAL_EXISTS', 'ENUMVAL_VALUE', 'TYPE_MATCHES',
] as const;
export type BpfCoreReloKindName = (typeof BPF_CORE_RELO_KIND_NAMES)[number];

export interface BtfExtFuncInfo {
  /** Byte offset of the function's first instruction in its ELF section (as in the object file). */
  readonly insnOff: number;
  /** FUNC type id in .BTF. */
  readonly typeId: number;
}

export interface BtfExtLineInfo {
  /** Byte offset of the instruction in its ELF section. */
  readonly insnOff: number;
  readonly fileNameOff: number;
  readonly lineOff: number;
  /** Source file name (from .BTF strings). */
  readonly fileName: string;
  /** Text of the source line (from .BTF strings). */
  readonly lineText: string;
  /** line_col >> 10. */
  readonly line: number;
  /** line_col & 0x3ff. */
  readonly col: number;
}

export interface BtfExtCoreRelo {
  /** Byte offset of the relocated instruction in its ELF section. */
  readonly insnOff: number;
  /** Local (object .BTF) root type id. */
  readonly typeId: number;
  readonly accessStrOff: number;
  /** Access spec string, e.g. "0:2". */
  readonly accessStr: string;
  /** enum bpf_core_relo_kind value. */
  readonly kind: number;
  /** Its name, or `UNKNOWN(n)`. */
  readonly kindName: string;
}

/** One btf_ext_info_sec: records for the ELF section `secName`. */
export interface BtfExtSection<T> {
  readonly secName: string;
  readonly secNameOff: number;
  readonly records: readonly T[];
}

export interface BtfExt {
  readonly source: string;
  readonly hdrLen: number;
  readonly funcInfoRecSize: number;
  readonly lineInfoRecSize: number;
  readonly coreReloRecSize: number;
  readonly funcInfo: readonly BtfExtSection<BtfExtFuncInfo>[];
  readonly lineInfo: readonly BtfExtSection<BtfExtLineInfo>[];
  /** Empty when the header has no core_relo part (hdr_len < 32). */
  readonly coreRelo: readonly BtfExtSection<BtfExtCoreRelo>[];
}

const HDR_MIN = 24; // through line_info_len
const HDR_CORE_RELO = 32; // through core_relo_len

interface Reader {
  source: string;
  view: DataView;
  le: boolean;
  btf: Btf;
}

function str(r: Reader, off: number, at: number, what: string): string {
  try {
    return r.btf.stringAt(off);
  } catch (e) {
    throw new FormatError(r.source, at, `${what}: a string offset inside .BTF (size ${r.btf.stringsSize}), got ${off}`, { cause: e });
  }
}

/** Reads one info part ([u32 rec_size][btf_ext_info_sec...]) starting at `start` with `len` bytes. */
function readInfo<T>(r: Reader, start: number, len: number, minRec: number, what: string,
  rec: (at: number) => T): { recSize: number; secs: BtfExtSection<T>[] } {
  const secs: BtfExtSection<T>[] = [];
  if (len === 0) return { recSize: 0, secs };
  const end = start + len;
  if (len < 4) throw new FormatError(r.source, start, `${what}: a 4-byte record size`);
  const recSize = r.view.getUint32(start, r.le);
  // libbpf accepts records larger than it knows (newer producers) and skips the extra bytes.
  if (recSize < minRec || recSize % 4 !== 0) throw new FormatError(r.source, start, `${what}: a record size >= ${minRec} and a multiple of 4, got ${recSize}`);
  let p = start + 4;
  while (p < end) {
    if (p + 8 > end) throw new FormatError(r.source, p, `${what}: an 8-byte btf_ext_info_sec header`);
    const secNameOff = r.view.getUint32(p, r.le);
    const secName = str(r, secNameOff, p, `${what} sec_name_off`);
    const num = r.view.getUint32(p + 4, r.le);
    if (num === 0) throw new FormatError(r.source, p + 4, `${what}: num_info > 0 for section ${secName}`);
    p += 8;
    if (num > (end - p) / recSize) throw new FormatError(r.source, p, `${what}: ${num} records of ${recSize} bytes for section ${secName} inside the part (${end - p} bytes left)`);
    const records: T[] = new Array(num);
    for (let i = 0; i < num; i++, p += recSize) records[i] = rec(p);
    secs.push({ secName, secNameOff, records });
  }
  return { recSize, secs };
}

/** Parses `.BTF.ext` bytes; strings resolve through the object's `.BTF`. */
export function parseBtfExt(bytes: Uint8Array, source: string, btf: Btf): BtfExt {
  const order = btfByteOrder(bytes);
  if (!order) throw new FormatError(source, 0, 'BTF.ext magic 0xeb9f');
  if (bytes.length < HDR_MIN) throw new FormatError(source, bytes.length, `a ${HDR_MIN}-byte btf_ext_header`);
  const le = order === 'little';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[2] !== 1) throw new FormatError(source, 2, `BTF.ext version 1, got ${bytes[2]}`);
  const hdrLen = view.getUint32(4, le);
  if (hdrLen < HDR_MIN || hdrLen > bytes.length) throw new FormatError(source, 4, `hdr_len between ${HDR_MIN} and ${bytes.length}, got ${hdrLen}`);
  const r: Reader = { source, view, le, btf };
  const part = (offField: number, name: string): [number, number] => {
    const off = view.getUint32(offField, le);
    const len = view.getUint32(offField + 4, le);
    const start = hdrLen + off;
    if (start + len > bytes.length) throw new FormatError(source, offField, `${name} [${start}, ${start + len}) inside the ${bytes.length}-byte .BTF.ext`);
    if (off % 4 !== 0) throw new FormatError(source, offField, `${name} offset aligned to 4, got ${off}`);
    return [start, len];
  };
  const [fiStart, fiLen] = part(8, 'func_info');
  const [liStart, liLen] = part(16, 'line_info');
  const fi = readInfo(r, fiStart, fiLen, 8, 'func_info', (at) => ({
    insnOff: view.getUint32(at, le), typeId: view.getUint32(at + 4, le),
  }));
  const li = readInfo(r, liStart, liLen, 16, 'line_info', (at) => {
    const fileNameOff = view.getUint32(at + 4, le);
    const lineOff = view.getUint32(at + 8, le);
    const lineCol = view.getUint32(at + 12, le);
    return {
      insnOff: view.getUint32(at, le), fileNameOff, lineOff,
      fileName: str(r, fileNameOff, at + 4, 'line_info file_name_off'),
      lineText: str(r, lineOff, at + 8, 'line_info line_off'),
      line: lineCol >>> 10, col: lineCol & 0x3ff,
    };
  });
  let cr: { recSize: number; secs: BtfExtSection<BtfExtCoreRelo>[] } = { recSize: 0, secs: [] };
  if (hdrLen >= HDR_CORE_RELO) {
    const [crStart, crLen] = part(24, 'core_relo');
    cr = readInfo(r, crStart, crLen, 16, 'core_relo', (at) => {
      const accessStrOff = view.getUint32(at + 8, le);
      const kind = view.getUint32(at + 12, le);
      return {
        insnOff: view.getUint32(at, le), typeId: view.getUint32(at + 4, le), accessStrOff,
        accessStr: str(r, accessStrOff, at + 8, 'core_relo access_str_off'),
        kind, kindName: BPF_CORE_RELO_KIND_NAMES[kind] ?? `UNKNOWN(${kind})`,
      };
    });
  }
  return {
    source, hdrLen, funcInfoRecSize: fi.recSize, lineInfoRecSize: li.recSize, coreReloRecSize: cr.recSize,
    funcInfo: fi.secs, lineInfo: li.secs, coreRelo: cr.secs,
  };
}

/** The object's `.BTF.ext`, or undefined when it has none. */
export function btfExtFromElf(elf: ElfFile, btf: Btf): BtfExt | undefined {
  const sec = elf.sectionByName('.BTF.ext');
  if (!sec) return undefined;
  if (sec.size === 0) throw new XdpMetaError(`${elf.source}: empty .BTF.ext section`);
  return parseBtfExt(sec.data, `${elf.source}:.BTF.ext`, btf);
}

/** Line info of one ELF section sorted by insnOff (clang emits it sorted; a stable sort keeps that order). */
export function lineInfoFor(ext: BtfExt, secName: string): readonly BtfExtLineInfo[] {
  const recs = ext.lineInfo.find((s) => s.secName === secName)?.records ?? [];
  return [...recs].sort((a, b) => a.insnOff - b.insnOff);
}

/** The line_info record covering byte offset `insnOff` (the last one at or before it) in `lineInfoFor` output, if any. */
export function lineAt(lines: readonly BtfExtLineInfo[], insnOff: number): BtfExtLineInfo | undefined {
  let lo = 0;
  let hi = lines.length - 1;
  let best: BtfExtLineInfo | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const l = lines[mid]!;
    if (l.insnOff <= insnOff) { best = l; lo = mid + 1; } else hi = mid - 1;
  }
  return best;
}
