// ELF reader tests: sections, symbols and relocations against llvm-readobj, BPF helpers, both byte orders, errors.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { parseElf, readElfFile } from '../../../src/core/elf/reader';
import { allFunctions, externSymbols, functionsIn, programSections } from '../../../src/core/elf/bpf';
import { R_BPF, SHF, STT, type ElfFile } from '../../../src/core/elf/types';
import { FormatError, XdpMetaError } from '../../../src/core/util/errors';
import { requirePrereq } from '../../helpers/prereq';
import { allKindsObject, allKindsObjectBE, coreReloObject, haveClang, run } from '../btf/fixtures';

const READOBJ = 'llvm-readobj-19';

interface ReadobjJson {
  FileSummary: { Arch: string };
  Sections: { Section: { Index: number; Name: { Name: string }; Type: { Value: number }; Flags: { Value: number }; Offset: number; Size: number; Link: number; Info: number; AddressAlignment: number; EntrySize: number } }[];
  Relocations: { SectionIndex: number; Relocs: { Relocation: { Offset: number; Type: { Value: number }; Symbol: { Name: string } } }[] }[];
  Symbols: { Symbol: { Name: { Name: string }; Value: number; Size: number; Binding: { Value: number }; Type: { Value: number }; Section: { Value: number } } }[];
}

function readobj(path: string): ReadobjJson {
  return (JSON.parse(run(READOBJ, ['--elf-output-style=JSON', '--sections', '--relocations', '--symbols', path])) as ReadobjJson[])[0]!;
}

/** Compares everything the reader exposes with llvm-readobj's view of the same file. */
function compareWithReadobj(elf: ElfFile, ref: ReadobjJson): void {
  assert.equal(elf.sections.length, ref.Sections.length);
  for (const { Section: s } of ref.Sections) {
    const ours = elf.sections[s.Index]!;
    assert.deepEqual(
      [ours.name, ours.type, ours.flags, ours.size, ours.link, ours.info, ours.addralign, ours.entsize],
      [s.Name.Name, s.Type.Value, s.Flags.Value, s.Size, s.Link, s.Info, s.AddressAlignment, s.EntrySize], `section ${s.Index}`);
    if (ours.type !== 8 /* NOBITS */) assert.equal(ours.offset, s.Offset);
  }
  assert.equal(elf.symbols.length, ref.Symbols.length);
  ref.Symbols.forEach(({ Symbol: s }, i) => {
    const ours = elf.symbols[i]!;
    const name = ours.type === STT.SECTION ? elf.sections[ours.shndx]!.name : ours.name;
    assert.deepEqual([name, ours.value, ours.size, ours.bind, ours.type, ours.shndx],
      [s.Name.Name, s.Value, s.Size, s.Binding.Value, s.Type.Value, s.Section.Value], `symbol ${i}`);
  });
  for (const group of ref.Relocations) {
    const target = elf.sections[group.SectionIndex]!.info;
    const ours = elf.relocationsFor(target).filter((r) => r.offset >= 0);
    const theirs = group.Relocs.map(({ Relocation: r }) => [r.Offset, r.Type.Value, r.Symbol.Name]);
    const mine = ours.map((r) => [r.offset, r.type, r.symbol.type === STT.SECTION ? elf.sections[r.symbol.shndx]!.name : r.symbol.name]);
    assert.deepEqual(mine, theirs, `relocations of section ${target}`);
  }
}

describe('core/elf reader', () => {
  let le: string;
  let be: string;
  let cr: string;

  before(function () {
    requirePrereq(this, haveClang, 'clang-19');
    le = allKindsObject();
    be = allKindsObjectBE();
    cr = coreReloObject();
  });

  it('reads sections, symbols and relocations exactly as llvm-readobj (little-endian)', () => {
    const elf = readElfFile(le);
    assert.equal(elf.byteOrder, 'little');
    assert.equal(elf.machine, 247);
    compareWithReadobj(elf, readobj(le));
    compareWithReadobj(readElfFile(cr), readobj(cr));
  });

  it('reads a big-endian (bpfeb) object the same way', () => {
    const elf = readElfFile(be);
    assert.equal(elf.byteOrder, 'big');
    compareWithReadobj(elf, readobj(be));
  });

  it('finds program sections, functions and externs (kfuncs, .ksyms variables)', () => {
    for (const path of [le, be]) {
      const elf = readElfFile(path);
      assert.deepEqual(programSections(elf).map((s) => s.name), ['.text', 'xdp']);
      const xdp = elf.sectionByName('xdp')!;
      assert.ok(xdp.flags & SHF.EXECINSTR);
      const fns = functionsIn(elf, xdp);
      assert.deepEqual(fns.map((f) => [f.name, f.offset, f.size, f.global]), [['all_kinds_prog', 0, xdp.size, true]]);
      assert.deepEqual(allFunctions(elf).map((f) => [f.section.name, f.name, f.global]),
        [['.text', 'helper_fn', false], ['xdp', 'all_kinds_prog', true]]);
      const ext = externSymbols(elf).map((e) => [e.name, e.kind, e.weak]).sort();
      assert.deepEqual(ext, [['bpf_prog_active', 'var', false], ['bpf_xdp_metadata_rx_hash', 'func', false]]);
      const kfuncCall = elf.relocationsFor(xdp).find((r) => r.symbol.name === 'bpf_xdp_metadata_rx_hash')!;
      assert.equal(kfuncCall.type, R_BPF.R_BPF_64_32);
      const mapLoad = elf.relocationsFor(xdp).find((r) => r.symbol.name === 'all_map')!;
      assert.equal(mapLoad.type, R_BPF.R_BPF_64_64);
    }
  });

  it('gives FormatError with the byte offset for bad or truncated input', () => {
    const bytes = new Uint8Array(readFileSync(le));
    assert.throws(() => parseElf(bytes.subarray(0, 10), 'short.o'), (e: unknown) => e instanceof FormatError && /ELF magic/.test(e.message));
    assert.throws(() => parseElf(bytes.subarray(0, 40), 'hdr.o'), (e: unknown) => e instanceof FormatError && e.offset === 0);
    // Cut inside the section header table.
    assert.throws(() => parseElf(bytes.subarray(0, bytes.length - 100), 'cut.o'), FormatError);
    const wrongClass = bytes.slice();
    wrongClass[4] = 1;
    assert.throws(() => parseElf(wrongClass, 'c32.o'), (e: unknown) => e instanceof FormatError && e.offset === 4);
    // A section whose data runs past the end of the file.
    const badSize = bytes.slice();
    const dv = new DataView(badSize.buffer);
    const shoff = Number(dv.getBigUint64(40, true));
    dv.setBigUint64(shoff + 3 * 64 + 32, 1n << 40n, true);
    assert.throws(() => parseElf(badSize, 'size.o'), (e: unknown) => e instanceof FormatError && /contents of section 3/.test(e.message));
    assert.throws(() => readElfFile('/nonexistent/x.o'), (e: unknown) => e instanceof XdpMetaError && /cannot read/.test(e.message));
  });

  it('refuses a symbol whose st_shndx names no section (below SHN_LORESERVE), naming its byte offset', () => {
    const bytes = new Uint8Array(readFileSync(le));
    const elf = parseElf(bytes, 'le.o');
    const symtab = elf.sections.find((s) => s.type === 2)!;
    const i = elf.symbols.findIndex((s) => s.shndx > 0 && s.shndx < elf.sections.length);
    const at = symtab.offset + i * 24;
    const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const past = bytes.slice();
    dv(past).setUint16(at + 6, elf.sections.length, true);
    assert.throws(() => parseElf(past, 'sym.o'), (e: unknown) => e instanceof FormatError && e.offset === at && new RegExp(`symbol ${i}: st_shndx`).test(e.message));
    // Reserved indexes (SHN_ABS, SHN_COMMON) are not sections and stay allowed.
    const abs = bytes.slice();
    dv(abs).setUint16(at + 6, 0xfff1, true);
    assert.equal(parseElf(abs, 'abs.o').symbols[i]!.shndx, 0xfff1);
  });
});
