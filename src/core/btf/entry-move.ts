// Edits .BTF and .BTF.ext for an entry program moved into .text: its FUNC renamed (global), its section's records shifted under ".text".
import { FormatError, XdpMetaError } from '../util/errors';
import { BTF_KIND, BTF_LINKAGE_NAMES } from './types';
import { BTF_MAGIC, parseBtfWire, type BtfWire } from './wire';

const { PTR: KIND_PTR, FUNC: KIND_FUNC, FUNC_PROTO: KIND_FUNC_PROTO, DECL_TAG: KIND_DECL_TAG } = BTF_KIND;
/** Kinds the verifier looks through to the type they name. */
const SKIPPED_KINDS = new Set<number>([BTF_KIND.TYPEDEF, BTF_KIND.VOLATILE, BTF_KIND.CONST, BTF_KIND.RESTRICT, BTF_KIND.TYPE_TAG]);
const LINKAGE_GLOBAL = BTF_LINKAGE_NAMES.indexOf('global');
const LINKAGE_EXTERN = BTF_LINKAGE_NAMES.indexOf('extern');
/** .BTF.ext shares the BTF magic. */
const EXT_MAGIC = BTF_MAGIC;

export interface EntryMove {
  /** The entry's FUNC name now, and the name it gets. */
  entry: string;
  inner: string;
  /** The ELF section the entry's code came from, and its byte range [lo, hi) there: those .BTF.ext records move to ".text". */
  fromSection: string;
  lo: number;
  hi: number;
  /** Byte offset of that code in the new .text. */
  shift: number;
}

/** The string at `off` of a NUL-terminated table, or undefined when `off` is outside it. */
function stringAt(strings: Uint8Array, off: number): string | undefined {
  if (off >= strings.length) return undefined;
  const end = strings.indexOf(0, off);
  return Buffer.from(strings.subarray(off, end < 0 ? strings.length : end)).toString('utf8');
}

/** Offset of `s` as a whole string of the table, or -1. */
function findString(strings: Uint8Array, s: string): number {
  let at = 0;
  while (at < strings.length) {
    const end = strings.indexOf(0, at);
    if (end < 0) break;
    if (Buffer.from(strings.subarray(at, end)).toString('utf8') === s) return at;
    at = end + 1;
  }
  return -1;
}

/**
 * The new .BTF (the entry's FUNC renamed to `inner`, linkage global; strings appended) and, when given, the new
 * .BTF.ext (func_info, line_info and core_relo records of `fromSection` shifted and filed under ".text").
 * Little-endian BTF only (as the caller's ELF rewrite).
 */
export function moveEntryInBtf(btf: Uint8Array, ext: Uint8Array | undefined, source: string, m: EntryMove): { btf: Uint8Array; ext?: Uint8Array } {
  const w = parseBtfWire(btf, `${source}: .BTF`);
  if (!w.littleEndian) throw new XdpMetaError(`${source}: big-endian .BTF: link-time wrapping handles little-endian objects only`);
  const types = Buffer.from(btf.subarray(w.typesStart, w.typesEnd));
  const strings = w.strings;
  const added: string[] = [];
  const addedOff = new Map<string, number>();
  let nextOff = strings.length;
  const intern = (s: string): number => {
    const old = findString(strings, s);
    if (old >= 0) return old;
    let off = addedOff.get(s);
    if (off === undefined) {
      off = nextOff;
      addedOff.set(s, off);
      added.push(s);
      nextOff += Buffer.byteLength(s) + 1;
    }
    return off;
  };
  // The entry's FUNC: exactly one defined (non-extern) FUNC of that name.
  const funcs: number[] = [];
  for (let i = 0; i < w.length; i++) {
    const q = w.wordIdx[i]!;
    const info = w.words[q + 1]!;
    if (((info >>> 24) & 0x1f) !== KIND_FUNC || (info & 0xffff) === LINKAGE_EXTERN) continue;
    if (stringAt(strings, w.words[q]!) === m.entry) funcs.push(i);
  }
  if (funcs.length !== 1) {
    throw new XdpMetaError(`${source}: .BTF has ${funcs.length || 'no'} FUNC named ${m.entry}${funcs.length ? 's' : ''}: cannot rename the entry to ${m.inner}`);
  }
  const funcId = w.startId + funcs[0]!;
  const q = w.wordIdx[funcs[0]!]!;
  types.writeUInt32LE(intern(m.inner), 4 * q);
  types.writeUInt32LE(((w.words[q + 1]! & ~0xffff) | LINKAGE_GLOBAL) >>> 0, 4 * q + 4);
  // A `void *ctx` entry: as a global function the verifier would take arg 0 for memory of unknown size, so tag
  // it as the ctx (what __arg_ctx writes: DECL_TAG "arg:ctx" on parameter 0; kernels 6.8+).
  const ctxTag = voidPtrFirstParam(w, w.words[q + 2]!) ? Buffer.alloc(16) : Buffer.alloc(0);
  if (ctxTag.length) {
    ctxTag.writeUInt32LE(intern('arg:ctx'), 0);
    ctxTag.writeUInt32LE((KIND_DECL_TAG << 24) >>> 0, 4);
    ctxTag.writeUInt32LE(funcId, 8);
    ctxTag.writeUInt32LE(0, 12);
  }
  const textOff = ext ? intern('.text') : -1;
  const newStrings = Buffer.concat([Buffer.from(strings), Buffer.from(added.map((s) => `${s}\0`).join(''), 'utf8')]);
  const allTypes = Buffer.concat([types, ctxTag]);
  const hdr = Buffer.from(btf.subarray(0, w.hdrLen));
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(allTypes.length, 12);
  hdr.writeUInt32LE(allTypes.length, 16);
  hdr.writeUInt32LE(newStrings.length, 20);
  const outBtf = Buffer.concat([hdr, allTypes, newStrings]);
  if (!ext) return { btf: outBtf };
  return { btf: outBtf, ext: moveExtRecords(ext, source, newStrings, textOff, m) };
}

/** True when FUNC_PROTO `protoId` has a first parameter of type `void *` (through typedefs and modifiers). */
function voidPtrFirstParam(w: BtfWire, protoId: number): boolean {
  const words = (id: number) => (id >= w.startId && id < w.startId + w.length ? w.wordIdx[id - w.startId]! : -1);
  const kind = (q: number) => (w.words[q + 1]! >>> 24) & 0x1f;
  const pq = words(protoId);
  if (pq < 0 || kind(pq) !== KIND_FUNC_PROTO || (w.words[pq + 1]! & 0xffff) < 1) return false;
  let id = w.words[pq + 4]!; // the first btf_param's type
  for (let hops = 0; hops < 32 && id !== 0; hops++) {
    const q = words(id);
    if (q < 0) return false;
    if (kind(q) === KIND_PTR) {
      let to = w.words[q + 2]!;
      for (let h = 0; h < 32 && to !== 0; h++) {
        const tq = words(to);
        if (tq < 0 || !SKIPPED_KINDS.has(kind(tq))) return false;
        to = w.words[tq + 2]!;
      }
      return to === 0;
    }
    if (!SKIPPED_KINDS.has(kind(q))) return false;
    id = w.words[q + 2]!;
  }
  return false;
}

interface InfoBlock { secNameOff: number; records: Buffer[] }

/** Parses one btf_ext_info part: rec_size, then (sec_name_off, num_info, records) blocks. */
function readInfo(ext: Buffer, start: number, len: number, source: string, what: string): { recSize: number; blocks: InfoBlock[] } {
  if (len === 0) return { recSize: 0, blocks: [] };
  const end = start + len;
  if (end > ext.length || len < 4) throw new FormatError(`${source}: .BTF.ext`, start, `${what} [${start}, ${end}) inside the ${ext.length}-byte .BTF.ext`);
  const recSize = ext.readUInt32LE(start);
  if (recSize < 4 || recSize % 4 !== 0) throw new FormatError(`${source}: .BTF.ext`, start, `${what} record size a positive multiple of 4, got ${recSize}`);
  const blocks: InfoBlock[] = [];
  let at = start + 4;
  while (at < end) {
    if (at + 8 > end) throw new FormatError(`${source}: .BTF.ext`, at, `${what}: an 8-byte btf_ext_info_sec header`);
    const secNameOff = ext.readUInt32LE(at);
    const n = ext.readUInt32LE(at + 4);
    at += 8;
    if (at + n * recSize > end) throw new FormatError(`${source}: .BTF.ext`, at, `${what}: ${n} records of ${recSize} bytes`);
    const records: Buffer[] = [];
    for (let i = 0; i < n; i++, at += recSize) records.push(Buffer.from(ext.subarray(at, at + recSize)));
    blocks.push({ secNameOff, records });
  }
  return { recSize, blocks };
}

function writeInfo(recSize: number, blocks: InfoBlock[]): Buffer {
  if (!recSize) return Buffer.alloc(0);
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32LE(recSize);
  for (const b of blocks) {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(b.secNameOff, 0);
    h.writeUInt32LE(b.records.length, 4);
    parts.push(h, ...b.records);
  }
  return Buffer.concat(parts);
}

function moveExtRecords(extIn: Uint8Array, source: string, strings: Uint8Array, textOff: number, m: EntryMove): Uint8Array {
  const ext = Buffer.from(extIn);
  if (ext.length < 24 || ext.readUInt16LE(0) !== EXT_MAGIC) {
    throw new FormatError(`${source}: .BTF.ext`, 0, 'little-endian .BTF.ext magic 0xeb9f (link-time wrapping handles little-endian objects only)');
  }
  const hdrLen = ext.readUInt32LE(4);
  if (hdrLen < 24 || hdrLen > ext.length) throw new FormatError(`${source}: .BTF.ext`, 4, `hdr_len between 24 and ${ext.length}, got ${hdrLen}`);
  const parts = hdrLen >= 32 ? 3 : 2;
  // Header fields past core_relo would name parts this rewrite does not know to move.
  for (let i = 8 + 8 * parts; i < hdrLen; i++) {
    if (ext[i] !== 0) throw new FormatError(`${source}: .BTF.ext`, i, `a header this rewrite knows (${hdrLen} bytes, with fields past core_relo)`);
  }
  const names = ['func_info', 'line_info', 'core_relo'];
  const out: Buffer[] = [];
  for (let p = 0; p < parts; p++) {
    const off = ext.readUInt32LE(8 + 8 * p);
    const len = ext.readUInt32LE(12 + 8 * p);
    const info = readInfo(ext, hdrLen + off, len, source, names[p]!);
    const from = info.blocks.find((b) => stringAt(strings, b.secNameOff) === m.fromSection);
    const text = info.blocks.find((b) => stringAt(strings, b.secNameOff) === '.text');
    if (from) {
      // insn_off (the first u32 of every record kind) is a byte offset in the section.
      const moved = from.records.filter((r) => r.readUInt32LE(0) >= m.lo && r.readUInt32LE(0) < m.hi);
      const stay = from.records.filter((r) => !moved.includes(r));
      for (const r of moved) r.writeUInt32LE(r.readUInt32LE(0) - m.lo + m.shift, 0);
      for (const r of stay) if (r.readUInt32LE(0) >= m.hi) r.writeUInt32LE(r.readUInt32LE(0) - (m.hi - m.lo), 0);
      from.records = stay;
      if (text) text.records.push(...moved);
      else if (moved.length) info.blocks.push({ secNameOff: textOff, records: moved });
      if (!stay.length) info.blocks.splice(info.blocks.indexOf(from), 1);
    }
    out.push(writeInfo(info.recSize, info.blocks));
  }
  const hdr = Buffer.from(ext.subarray(0, hdrLen));
  let at = 0;
  for (let p = 0; p < parts; p++) {
    hdr.writeUInt32LE(out[p]!.length ? at : 0, 8 + 8 * p);
    hdr.writeUInt32LE(out[p]!.length, 12 + 8 * p);
    at += out[p]!.length;
  }
  return Buffer.concat([hdr, ...out]);
}
