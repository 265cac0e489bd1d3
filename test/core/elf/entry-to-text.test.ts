// The entry-to-.text rewrite over real clang objects: symbols, relocations, BTF FUNC and .BTF.ext records land where libbpf's linker wants them.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { btfExtFromElf, btfFromElf } from '../../../src/core/btf';
import { functionsIn, parseElf, SHT } from '../../../src/core/elf';
import { entryToText, EntryRewriteError } from '../../../src/core/elf/entry-to-text';
import type { ElfFile } from '../../../src/core/elf/types';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { XdpMetaError } from '../../../src/core/util/errors';
import { requirePrereq } from '../../helpers/prereq';

const ROOT = path.resolve(__dirname, '../../..');
const FIX = path.join(ROOT, 'test/fixtures/remote');

function load(src: string, args: string[] = []): ElfFile {
  const p = buildBpfObject(src, { args: ['-idirafter', '/usr/include/x86_64-linux-gnu', ...args] });
  return parseElf(readFileSync(p), p);
}

function fn(elf: ElfFile, name: string) {
  const f = elf.sections.flatMap((s) => (s.type === SHT.PROGBITS ? functionsIn(elf, s) : [])).find((x) => x.name === name);
  assert.ok(f, `function ${name}`);
  return f;
}

describe('core/elf/entry-to-text', function () {
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
  });

  it('an object whose .text is empty: the entry becomes .text code, its relocation and BTF records follow', () => {
    const elf = load(path.join(ROOT, 'bpf-templates/tc-meta-magic/tc_meta_magic.bpf.c'));
    const before = fn(elf, 'xdp_write_meta');
    const r = entryToText(elf, 'xdp_write_meta');
    assert.equal(r.inner, '__xdpmeta_inner_xdp_write_meta');
    assert.equal(r.section, 'xdp');
    assert.equal(r.shift, 0);
    const out = parseElf(r.bytes, 'out.o');
    assert.equal(out.sectionByName('xdp'), undefined, 'the emptied section is gone');
    assert.ok(!out.sections.some((s) => s.name.startsWith('.debug_') || s.name === '.rel.BTF.ext'));
    const inner = fn(out, r.inner);
    assert.equal(inner.section.name, '.text');
    assert.equal(inner.global, true);
    assert.deepEqual(Buffer.from(inner.section.data.subarray(0, inner.size)), Buffer.from(before.section.data.subarray(before.offset, before.offset + before.size)));
    // The other program is untouched.
    const tc = fn(out, 'tc_read_meta');
    assert.equal(tc.section.name, 'tc');
    assert.deepEqual(out.relocationsFor(inner.section).map((x) => [x.offset, x.symbol.name]), elf.relocationsFor(before.section).map((x) => [x.offset, x.symbol.name]));
    const btf = btfFromElf(out);
    assert.equal(btf.findByName('xdp_write_meta', 'FUNC'), undefined);
    assert.equal(btf.findByName(r.inner, 'FUNC')?.linkage, 'global');
    const ext = btfExtFromElf(out, btf)!;
    assert.deepEqual(ext.funcInfo.map((b) => b.secName).sort(), ['.text', 'tc']);
    assert.equal(ext.funcInfo.find((b) => b.secName === '.text')!.records[0]!.insnOff, 0);
    assert.ok(ext.lineInfo.find((b) => b.secName === '.text')!.records.length > 3);
  });

  it('an object with .text subprograms: the entry is appended after them, everything shifted by the same amount', () => {
    const elf = load(path.join(FIX, 'objwrap_subprogs.bpf.c'));
    const text = elf.sectionByName('.text')!;
    assert.ok(text.size > 0, 'the fixture has .text subprograms');
    const before = fn(elf, 'xdp_sub');
    const r = entryToText(elf, 'xdp_sub');
    assert.equal(r.shift, Math.ceil(text.size / 8) * 8);
    const out = parseElf(r.bytes, 'out.o');
    const inner = fn(out, r.inner);
    assert.equal(inner.offset, r.shift);
    assert.deepEqual(fn(out, 'pick_verdict').offset, fn(elf, 'pick_verdict').offset);
    assert.deepEqual(fn(out, 'next_seq').offset, fn(elf, 'next_seq').offset);
    const want = [...elf.relocationsFor(text).map((x) => [x.offset, x.symbol.name]),
      ...elf.relocationsFor(before.section).map((x) => [x.offset + r.shift, x.symbol.name])];
    assert.deepEqual(out.relocationsFor(inner.section).map((x) => [x.offset, x.symbol.name]), want);
    const btf = btfFromElf(out);
    const ext = btfExtFromElf(out, btf)!;
    assert.deepEqual(ext.funcInfo.map((b) => b.secName), ['.text']);
    const offs = ext.funcInfo[0]!.records.map((x) => [x.insnOff, btf.nameOf(x.typeId)]);
    assert.deepEqual(offs.at(-1), [r.shift, r.inner]);
    const lines = ext.lineInfo.find((b) => b.secName === '.text')!.records;
    assert.ok(lines.every((l, i) => i === 0 || l.insnOff >= lines[i - 1]!.insnOff), 'line_info sorted');
    assert.ok(lines.some((l) => l.insnOff >= r.shift && /m->magic/.test(l.lineText)));
  });

  it('two programs in one section: only the chosen one moves; the other closes the gap with its records', () => {
    const elf = load(path.join(FIX, 'objwrap_two_entries.bpf.c'));
    const first = fn(elf, 'xdp_first');
    const second = fn(elf, 'xdp_second');
    const r = entryToText(elf, 'xdp_first');
    const out = parseElf(r.bytes, 'out.o');
    const moved = fn(out, r.inner);
    const stay = fn(out, 'xdp_second');
    assert.equal(moved.section.name, '.text');
    assert.equal(stay.section.name, 'xdp');
    assert.equal(stay.offset, 0);
    assert.deepEqual(Buffer.from(stay.section.data), Buffer.from(second.section.data.subarray(second.offset, second.offset + second.size)));
    assert.deepEqual(Buffer.from(moved.section.data.subarray(moved.offset, moved.offset + moved.size)),
      Buffer.from(first.section.data.subarray(first.offset, first.offset + first.size)));
    const btf = btfFromElf(out);
    const ext = btfExtFromElf(out, btf)!;
    assert.deepEqual(ext.funcInfo.find((b) => b.secName === 'xdp')!.records.map((x) => [x.insnOff, btf.nameOf(x.typeId)]), [[0, 'xdp_second']]);
    assert.ok(ext.lineInfo.find((b) => b.secName === 'xdp')!.records.every((l) => l.insnOff < stay.size));
    // Moving the second one instead: the first stays where it was.
    const r2 = entryToText(elf, 'xdp_second');
    const out2 = parseElf(r2.bytes, 'out2.o');
    assert.equal(fn(out2, 'xdp_first').offset, 0);
    assert.equal(fn(out2, r2.inner).section.name, '.text');
  });

  it('a `void *ctx` entry gets a DECL_TAG "arg:ctx" on parameter 0 (a global function\'s void * is no ctx otherwise)', () => {
    const tagged = (src: string, entry: string) => {
      const r = entryToText(load(src), entry);
      const btf = btfFromElf(parseElf(r.bytes, 'out.o'));
      const id = btf.findIdsByName(r.inner, 'FUNC')[0]!;
      return btf.decodeAll().filter((t) => t.kind === 'DECL_TAG' && t.name === 'arg:ctx' && t.typeId === id && t.componentIdx === 0).length;
    };
    assert.equal(tagged(path.join(FIX, 'objwrap_void_ctx.bpf.c'), 'xdp_void_ctx'), 1);
    assert.equal(tagged(path.join(FIX, 'objwrap_subprogs.bpf.c'), 'xdp_sub'), 0);
  });

  it('damaged objects our readers accept: the rewrite throws a typed error or writes an object that parses, never a crash', () => {
    const good = readFileSync(buildBpfObject(path.join(FIX, 'objwrap_subprogs.bpf.c'), { args: ['-idirafter', '/usr/include/x86_64-linux-gnu'] }));
    let seed = 12345;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    // Mutations aimed at what the rewrite reads: section headers, .symtab, the code and REL sections, .BTF, .BTF.ext.
    const g = parseElf(good, 'good.o');
    const shoff = Number(good.readBigUInt64LE(40));
    const regions = [[shoff, g.sections.length * 64], ...g.sections
      .filter((x) => ['.symtab', '.text', 'xdp', '.rel.text', '.relxdp', '.BTF', '.BTF.ext'].includes(x.name)).map((x) => [x.offset, x.size])];
    let rewritten = 0;
    for (let i = 0; i < 1500; i++) {
      const b = Buffer.from(good);
      for (let k = 1 + rand(3); k > 0; k--) {
        const [at, len] = regions[rand(regions.length)]!;
        b[at! + rand(len!)] = rand(4) ? rand(256) : 0;
      }
      let elf: ElfFile;
      try {
        elf = parseElf(b, `mutant-${i}.o`);
        if (elf.sectionByName('.BTF')) btfExtFromElf(elf, btfFromElf(elf));
      } catch (e) {
        if (e instanceof XdpMetaError) continue; // preflight refuses it before the rewrite runs
        throw e;
      }
      try {
        parseElf(entryToText(elf, 'xdp_sub').bytes, `out-${i}.o`);
        rewritten++;
      } catch (e) {
        assert.ok(e instanceof XdpMetaError, `mutant ${i}: ${(e as Error).stack}`);
        assert.match((e as Error).message, new RegExp(`mutant-${i}\\.o|out-${i}\\.o`));
      }
    }
    assert.ok(rewritten > 100, `${rewritten} mutants rewritten`);
  });

  it('refuses what it cannot rewrite, naming the file', () => {
    const elf = load(path.join(FIX, 'objwrap_subprogs.bpf.c'));
    assert.throws(() => entryToText(elf, 'pick_verdict'), (e: unknown) => e instanceof EntryRewriteError && /objwrap_subprogs.*no program pick_verdict/.test((e as Error).message));
    const again = parseElf(entryToText(elf, 'xdp_sub').bytes, 'again.o');
    assert.throws(() => entryToText(again, 'xdp_sub'), /again\.o: already defines __xdpmeta_inner_xdp_sub|again\.o: no program xdp_sub/);
    const be = load(path.join(FIX, 'drop_every_other.bpf.c'), ['--target=bpfeb']);
    assert.throws(() => entryToText(be, 'xdp_alternate'), /big-endian object/);
  });
});
