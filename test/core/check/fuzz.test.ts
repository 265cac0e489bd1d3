// Bounded mutation fuzz of the check: the DWARF reader, the interpreter and whole objects through runCheck give results or typed errors, never crashes or hangs.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { decodeInsns } from '../../../src/core/bpf/decode';
import { readDwarf } from '../../../src/core/dwarf/reader';
import { interpret } from '../../../src/core/check/interp';
import { XDP_LAYOUT } from '../../../src/core/check/ctx-layout';
import { parseElf } from '../../../src/core/elf/reader';
import { XdpMetaError } from '../../../src/core/util/errors';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { runCheck } from '../../../src/core/check';
import { fixture, kernelA } from './fixtures';

/** xorshift32: deterministic, so a failure reproduces from the printed iteration. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x / 0x100000000;
  };
}

const ITERATIONS = Number(process.env.XDP_META_FUZZ_ITERATIONS ?? 300);

describe('check fuzz', function () {
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
  });

  it(`DWARF reader: ${ITERATIONS} mutated .debug_* sections give a result or a FormatError`, () => {
    const orig = readFileSync(fixture('layout_producer'));
    const elf = parseElf(orig, 'layout_producer.o');
    const ranges = elf.sections.filter((s) => s.name.startsWith('.debug_') && s.size > 0).map((s) => [s.offset, s.size] as const);
    const rand = rng(0xc0ffee);
    for (let it = 0; it < ITERATIONS; it++) {
      const bytes = Uint8Array.from(orig);
      const flips = 1 + Math.floor(rand() * 8);
      for (let k = 0; k < flips; k++) {
        const [off, size] = ranges[Math.floor(rand() * ranges.length)]!;
        bytes[off + Math.floor(rand() * size)] = Math.floor(rand() * 256);
      }
      try {
        const d = readDwarf(parseElf(bytes, `mutant${it}.o`));
        if (d) { d.variableInRegister(3, 0x40, 1); d.variablesNamed('meta', 3, 0x40); }
      } catch (e) {
        assert.ok(e instanceof XdpMetaError, `iteration ${it}: ${(e as Error).stack}`);
      }
    }
  });

  it(`interpreter: ${ITERATIONS} random instruction streams terminate without throwing`, () => {
    const rand = rng(0xbadcafe);
    const codes = [0x61, 0x69, 0x71, 0x79, 0x63, 0x7b, 0x62, 0x07, 0x0f, 0x17, 0xbf, 0xb7, 0x04, 0x2d, 0xad, 0x3d, 0xbd, 0x25, 0x55, 0x15, 0x05, 0x85, 0x95, 0x18, 0xdb, 0xc3, 0x06, 0x16];
    for (let it = 0; it < ITERATIONS; it++) {
      const n = 2 + Math.floor(rand() * 60);
      const bytes = new Uint8Array(n * 8);
      const v = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) {
        bytes[i * 8] = codes[Math.floor(rand() * codes.length)]!;
        bytes[i * 8 + 1] = rand() < 0.05 ? Math.floor(rand() * 256) : Math.floor(rand() * 256) & 0xaa; // mostly r0..r10, sometimes invalid
        v.setInt16(i * 8 + 2, Math.floor(rand() * 16) - 6, true);
        v.setInt32(i * 8 + 4, Math.floor(rand() * 32) - 8, true);
      }
      let insns;
      try {
        insns = decodeInsns(bytes, 'little');
      } catch (e) {
        assert.ok(e instanceof XdpMetaError);
        continue;
      }
      const r = interpret(insns, { layout: XDP_LAYOUT, callAt: (i) => ((i.code === 0x85) ? { insn: i.index, kind: 'helper', name: 'bpf_xdp_adjust_meta' } : undefined), typeIdLocalAt: () => undefined }, true);
      assert.ok(r.reached >= 1 && r.reached <= insns.length);
    }
  });

  it(`whole pipeline: ${ITERATIONS} mutated objects give diagnostics or a typed error`, () => {
    const rand = rng(0x5eed);
    const target = kernelA();
    for (const name of ['trailer_fire', 'meta_not_core_clean']) {
      const orig = readFileSync(fixture(name));
      for (let it = 0; it < ITERATIONS / 2; it++) {
        const bytes = Uint8Array.from(orig);
        const flips = 1 + Math.floor(rand() * 6);
        for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
        try {
          runCheck([{ bytes, label: `${name}-mutant${it}.o` }], { targetBtf: target });
        } catch (e) {
          assert.ok(e instanceof XdpMetaError, `${name} iteration ${it}: ${(e as Error).stack}`);
        }
      }
    }
  });
});
