import { strict as assert } from 'node:assert';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { readElfFile } from '../../../src/core/elf';
import { btfFromElf } from '../../../src/core/btf';
import { btfExtFromElf } from '../../../src/core/btf/ext';
import { decodeInsns, encodeSlot, formatInsn, listObject, llvmSymbolizer, objectFunctions } from '../../../src/core/bpf';
import { FormatError } from '../../../src/core/util/errors';
import { hasTool, LLVM_OBJDUMP, multiarchInclude, objdumpInsns } from './objdump';

interface Fixture { src: string; args?: string[]; alu32?: boolean; label?: string }

const FIXTURES: Fixture[] = [
  { src: 'bpf/insns.c', args: ['-mcpu=v4'] },
  { src: 'bpf/insns.c', args: ['-mcpu=v4'], alu32: true, label: 'bpf/insns.c --mattr=+alu32' },
  { src: 'bpf/insns.c', args: ['-mcpu=v4', '--target=bpfeb'], label: 'bpf/insns.c big-endian' },
  { src: 'bpf/raw-encodings.c' },
  { src: 'bpf/raw-encodings.c', args: ['--target=bpfeb'], label: 'bpf/raw-encodings.c big-endian' },
  { src: 'bpf/xdp-calls.c', args: multiarchInclude() },
  { src: 'bpf/xdp-calls.c', args: [...multiarchInclude(), '-mcpu=v3'], alu32: true, label: 'bpf/xdp-calls.c -mcpu=v3 alu32' },
  { src: 'core-relo/xdp-core.c' },
  { src: 'core-relo/xdp-core.c', args: ['--target=bpfeb'], label: 'core-relo/xdp-core.c big-endian' },
  { src: 'core-relo/ambig.c' },
  { src: 'core-relo/flavors.c' },
  { src: 'core-relo/module.c' },
];

describe('core/bpf disassembler', () => {
  describe('equals llvm-objdump-19 -d on every instruction of every fixture', function () {
    before(function () {
      requirePrereq(this, hasClang(), 'clang-19');
      requirePrereq(this, hasTool(LLVM_OBJDUMP), LLVM_OBJDUMP);
    });
    for (const f of FIXTURES) {
      it(f.label ?? f.src, () => {
        const obj = buildBpfObject(f.src, { args: f.args });
        const want = objdumpInsns(obj, f.alu32);
        const elf = readElfFile(obj);
        let compared = 0;
        const mismatches: string[] = [];
        const seen = new Map<string, Set<number>>();
        for (const fn of objectFunctions(elf)) {
          const sym = llvmSymbolizer(elf, fn.section);
          const secWant = want.get(fn.section.name);
          assert.ok(secWant, `llvm-objdump shows section ${fn.section.name}`);
          const idx = seen.get(fn.section.name) ?? new Set<number>();
          seen.set(fn.section.name, idx);
          for (const insn of fn.insns) {
            const slot = fn.sectionInsnOffset + insn.index;
            idx.add(slot);
            const text = formatInsn(insn, { alu32: f.alu32, baseAddress: fn.func.offset, symbolize: sym });
            if (text !== secWant.get(slot)) mismatches.push(`${fn.section.name}:${slot}: ours '${text}' llvm '${secWant.get(slot)}'`);
            compared++;
          }
        }
        // Every instruction llvm shows is one we decoded (no gaps, no extra slots).
        for (const [sec, insns] of want) {
          for (const slot of insns.keys()) if (!seen.get(sec)?.has(slot)) mismatches.push(`${sec}:${slot}: not decoded by us`);
        }
        assert.deepEqual(mismatches, []);
        assert.ok(compared > 0, `compared ${compared} instructions`);
      });
    }
  });

  describe('decoder', () => {
    it('decodes one slot in both byte orders', () => {
      const le = decodeInsns(Uint8Array.from([0x61, 0x21, 0xfe, 0xff, 0x05, 0x00, 0x00, 0x00]), 'little');
      const be = decodeInsns(Uint8Array.from([0x61, 0x12, 0xff, 0xfe, 0x00, 0x00, 0x00, 0x05]), 'big');
      for (const [i] of [le, be]) {
        assert.equal(i!.code, 0x61);
        assert.equal(i!.dst, 1);
        assert.equal(i!.src, 2);
        assert.equal(i!.off, -2);
        assert.equal(i!.imm, 5);
        assert.equal(formatInsn(i!), 'r1 = *(u32 *)(r2 - 0x2)');
      }
    });

    it('round-trips slots through encodeSlot', () => {
      const f = { code: 0xb7, dst: 3, src: 0, off: -7, imm: -123456 };
      for (const order of ['little', 'big'] as const) {
        const [i] = decodeInsns(encodeSlot(f, order), order);
        assert.deepEqual({ code: i!.code, dst: i!.dst, src: i!.src, off: i!.off, imm: i!.imm }, f);
      }
    });

    it('joins ld_imm64 into one two-slot instruction with a 64-bit immediate', () => {
      const bytes = Uint8Array.from([0x18, 0x02, 0, 0, 0xf0, 0xde, 0xbc, 0x9a, 0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12, 0x95, 0, 0, 0, 0, 0, 0, 0]);
      const insns = decodeInsns(bytes, 'little');
      assert.equal(insns.length, 2);
      assert.equal(insns[0]!.imm64, 0x123456789abcdef0n);
      assert.equal(insns[1]!.index, 2);
      assert.equal(formatInsn(insns[0]!), 'r2 = 0x123456789abcdef0 ll');
    });

    it('rejects a cut-off ld_imm64 and a partial slot with FormatError naming the offset', () => {
      assert.throws(() => decodeInsns(Uint8Array.from([0x18, 0, 0, 0, 0, 0, 0, 0]), 'little', 'x.o:xdp', 64),
        (e: unknown) => e instanceof FormatError && e.offset === 64 && /ld_imm64/.test(e.message));
      assert.throws(() => decodeInsns(new Uint8Array(12), 'little', 'x.o:xdp', 0),
        (e: unknown) => e instanceof FormatError && e.offset === 8);
    });

    it('formats every possible opcode byte without throwing', () => {
      for (let code = 0; code < 256; code++) {
        for (const imm of [0, 1, 16, 0x41, -1]) {
          const bytes = new Uint8Array(16);
          bytes[0] = code; bytes[1] = 0x21; bytes[4] = imm & 0xff; bytes[8] = 0;
          const [i] = decodeInsns(bytes, 'little');
          assert.equal(typeof formatInsn(i!), 'string');
        }
      }
    });
  });

  describe('listing', function () {
    before(function () { requirePrereq(this, hasClang(), 'clang-19'); });

    it('names helpers, kfuncs, subprograms and loaded symbols, and maps source lines', () => {
      const elf = readElfFile(buildBpfObject('bpf/xdp-calls.c', { args: multiarchInclude() }));
      const btf = btfFromElf(elf);
      const list = listObject(elf, btfExtFromElf(elf, btf));
      const prog = list.find((f) => f.fn.name === 'xdp_calls')!;
      const sub = list.find((f) => f.fn.name === 'bump')!;
      assert.equal(prog.fn.isProgram, true);
      assert.equal(sub.fn.isProgram, false);
      const calls = prog.insns.filter((l) => l.call).map((l) => `${l.call!.kind}:${l.call!.name}`);
      assert.deepEqual(calls, ['helper:bpf_xdp_adjust_meta', 'kfunc:bpf_xdp_metadata_rx_hash', 'subprog:bump']);
      assert.deepEqual(sub.insns.filter((l) => l.call).map((l) => l.call!.name), ['bpf_map_lookup_elem']);
      assert.deepEqual(sub.insns.filter((l) => l.loads).map((l) => l.loads), ['counters', 'threshold']);
      const kf = prog.insns.find((l) => l.call?.kind === 'kfunc')!;
      assert.match(kf.source!.text, /bpf_xdp_metadata_rx_hash\(ctx, &hash, &type\)/);
      assert.match(kf.source!.file, /xdp-calls\.c$/);
      assert.equal(prog.insns[0]!.insn.index, 0);
    });
  });
});
