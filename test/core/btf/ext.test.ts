// .BTF.ext tests: core_relo against llvm-objdump, func/line info against the fixture source, record sizes, errors.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { btfExtFromElf, lineAt, lineInfoFor, parseBtfExt, type BtfExt } from '../../../src/core/btf/ext';
import { btfFromElf } from '../../../src/core/btf/load';
import type { Btf } from '../../../src/core/btf/types';
import { functionsIn } from '../../../src/core/elf/bpf';
import { readElfFile } from '../../../src/core/elf/reader';
import { FormatError } from '../../../src/core/util/errors';
import { requirePrereq } from '../../helpers/prereq';
import { allKindsObject, coreReloObject, coreReloObjectBE, haveClang, run } from './fixtures';

// llvm-objdump's short names for enum bpf_core_relo_kind.
const OBJDUMP_KIND = ['byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
  'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches'];

/** CO-RE records as llvm-objdump -dr prints them: [section, byte offset, kind, type id, access or ''], in file order. */
function objdumpCoreRelos(obj: string): string[][] {
  const out: string[][] = [];
  let sec = '';
  for (const line of run('llvm-objdump-19', ['-dr', obj]).split('\n')) {
    const s = /^Disassembly of section (.*):$/.exec(line);
    if (s) sec = s[1]!;
    const m = /^\s+([0-9a-f]+):\s+CO-RE <(\w+)> \[(\d+)\] .*?(?:\(([\d:]+)\))?$/.exec(line);
    if (m) out.push([sec, String(parseInt(m[1]!, 16)), m[2]!, m[3]!, m[4] ?? '']);
  }
  return out;
}

function load(obj: string): { btf: Btf; ext: BtfExt; bytes: Uint8Array } {
  const elf = readElfFile(obj);
  const btf = btfFromElf(elf);
  const ext = btfExtFromElf(elf, btf);
  assert.ok(ext);
  return { btf, ext, bytes: elf.sectionByName('.BTF.ext')!.data };
}

/** Re-encodes `ext` with every record padded to `extra` more bytes (a newer producer) and optionally no core_relo part. */
function reencode(ext: BtfExt, extra: number, withCoreRelo: boolean): Uint8Array {
  const words: number[] = [];
  const part = <T>(secs: readonly { secNameOff: number; records: readonly T[] }[], size: number, rec: (r: T) => number[]): number => {
    const start = words.length;
    if (secs.length === 0) return 0;
    words.push(size + extra);
    for (const s of secs) {
      words.push(s.secNameOff, s.records.length);
      for (const r of s.records) words.push(...rec(r), ...new Array<number>(extra / 4).fill(0xdeadbeef));
    }
    return (words.length - start) * 4;
  };
  const fiLen = part(ext.funcInfo, 8, (r) => [r.insnOff, r.typeId]);
  const liStart = words.length * 4;
  const liLen = part(ext.lineInfo, 16, (r) => [r.insnOff, r.fileNameOff, r.lineOff, (r.line << 10) | r.col]);
  const crStart = words.length * 4;
  const crLen = withCoreRelo ? part(ext.coreRelo, 16, (r) => [r.insnOff, r.typeId, r.accessStrOff, r.kind]) : 0;
  const hdr = withCoreRelo ? [0x0001eb9f, 32, 0, fiLen, liStart, liLen, crStart, crLen] : [0x0001eb9f, 24, 0, fiLen, liStart, liLen];
  const all = [...hdr, ...words];
  const out = new Uint8Array(all.length * 4);
  const dv = new DataView(out.buffer);
  all.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  return out;
}

describe('core/btf .BTF.ext', () => {
  let cr: string;
  let crBE: string;

  before(function () {
    requirePrereq(this, haveClang, 'clang-19');
    cr = coreReloObject();
    crBE = coreReloObjectBE();
  });

  it('reads core_relo records exactly as llvm-objdump shows them (both byte orders)', () => {
    for (const obj of [cr, crBE]) {
      const { ext } = load(obj);
      assert.equal(ext.hdrLen, 32);
      const ours = ext.coreRelo.flatMap((s) => s.records.map((r) => [s.secName, String(r.insnOff), OBJDUMP_KIND[r.kind]!, String(r.typeId),
        r.kind <= 5 ? r.accessStr : '']));
      const theirs = objdumpCoreRelos(obj);
      assert.equal(ours.length, 6);
      assert.deepEqual(ours, theirs);
      const first = ext.coreRelo[0]!.records[0]!;
      assert.deepEqual([first.kindName, first.accessStr], ['FIELD_BYTE_OFFSET', '0:2']);
    }
  });

  it('maps func_info to the FUNC of each program and line_info to the source line', () => {
    const obj = cr;
    const { btf, ext } = load(obj);
    const elf = readElfFile(obj);
    for (const s of ext.funcInfo) {
      const fns = functionsIn(elf, elf.sectionByName(s.secName)!);
      for (const r of s.records) {
        const f = btf.typeById(r.typeId);
        assert.equal(f.kind, 'FUNC');
        assert.equal(fns.find((x) => x.offset === r.insnOff)?.name, f.name);
      }
    }
    const src = readFileSync(require.resolve('../../fixtures/btf/core-relo.c'), 'utf8').split('\n');
    let n = 0;
    for (const s of ext.lineInfo) {
      for (const r of s.records) {
        assert.ok(r.fileName.endsWith('core-relo.c'), r.fileName);
        assert.equal(r.lineText, src[r.line - 1], `line ${r.line}`);
        assert.ok(r.col >= 1 && r.col <= r.lineText.length + 1);
        n++;
      }
    }
    assert.ok(n >= 4);
    const xdp = lineInfoFor(ext, 'xdp');
    assert.equal(lineAt(xdp, 0)?.lineText, '\t__u32 meta = ctx->data_meta;');
    assert.equal(lineAt(xdp, 8)?.line, lineAt(xdp, 0)?.line, 'an instruction without its own record belongs to the previous one');
    assert.equal(lineAt([], 0), undefined);
    // The every-kind fixture has a .text subprogram with its own func_info.
    const all = load(allKindsObject()).ext;
    assert.deepEqual(all.funcInfo.map((s) => s.secName).sort(), ['.text', 'xdp']);
  });

  it('skips the extra bytes of larger records and accepts a header without core_relo', () => {
    const { btf, ext } = load(cr);
    const strip = (e: BtfExt) => JSON.stringify([e.funcInfo, e.lineInfo, e.coreRelo]);
    const wide = parseBtfExt(reencode(ext, 8, true), 'wide', btf);
    assert.equal(wide.lineInfoRecSize, 24);
    assert.equal(strip(wide), strip(ext));
    const old = parseBtfExt(reencode(ext, 0, false), 'old', btf);
    assert.equal(old.hdrLen, 24);
    assert.deepEqual(old.coreRelo, []);
    assert.equal(JSON.stringify(old.lineInfo), JSON.stringify(ext.lineInfo));
  });

  it('rejects corrupt .BTF.ext with FormatError', () => {
    const { btf, ext, bytes } = load(cr);
    const bad = (b: Uint8Array, re: RegExp) => assert.throws(() => parseBtfExt(b, 'x.ext', btf),
      (e: unknown) => e instanceof FormatError && re.test(e.message), re.source);
    bad(bytes.subarray(0, 12), /btf_ext_header/);
    bad(bytes.subarray(0, bytes.length - 4), /inside/);
    const rec = reencode(ext, 0, true);
    new DataView(rec.buffer).setUint32(32, 4, true); // func_info rec_size below 8
    bad(rec, /record size/);
    const name = reencode(ext, 0, true);
    new DataView(name.buffer).setUint32(36, 0x7ffffff0, true); // sec_name_off outside .BTF strings
    bad(name, /sec_name_off/);
    const count = reencode(ext, 0, true);
    new DataView(count.buffer).setUint32(40, 0x10000000, true); // num_info far too large
    bad(count, /records of/);
  });
});
