// Mutation fuzzing of the ELF, BTF and BTF.ext readers: only XdpMetaError may escape, nothing may hang.
import { btfExtFromElf, parseBtfExt } from '../../../src/core/btf/ext';
import { dumpC } from '../../../src/core/btf/c-dump';
import { dumpRaw } from '../../../src/core/btf/format-raw';
import { btfFromElf, parseBtf } from '../../../src/core/btf/load';
import type { Btf } from '../../../src/core/btf/types';
import { allFunctions, externSymbols, programSections } from '../../../src/core/elf/bpf';
import { parseElf } from '../../../src/core/elf/reader';
import { isXdpMetaError } from '../../../src/core/util/errors';

/** mulberry32: small, fast, seedable; a failing seed reproduces exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING_U32 = [0, 1, 2, 3, 4, 8, 12, 16, 24, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** 1-4 random edits: bit flips, interesting bytes/words, truncation, chunk copies. */
export function mutate(input: Uint8Array, rnd: () => number): Uint8Array {
  let b = input.slice();
  const edits = 1 + Math.floor(rnd() * 4);
  const at = (n: number) => Math.floor(rnd() * Math.max(1, b.length - n));
  for (let e = 0; e < edits && b.length > 0; e++) {
    const op = Math.floor(rnd() * 6);
    if (op === 0) { const i = at(1); b[i]! ^= 1 << Math.floor(rnd() * 8); }
    else if (op === 1) b[at(1)] = [0, 0xff, 0x7f, 0x80, 1][Math.floor(rnd() * 5)]!;
    else if (op === 2 || op === 3) {
      // Aligned words hit header fields, counts, offsets and type ids.
      if (b.length < 4) continue;
      const i = at(4) & ~3;
      const v = rnd() < 0.7 ? INTERESTING_U32[Math.floor(rnd() * INTERESTING_U32.length)]! : Math.floor(rnd() * 0x100000000);
      new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(i, v, rnd() < 0.5);
    } else if (op === 4) b = b.slice(0, at(0));
    else {
      const len = Math.min(b.length, 1 + Math.floor(rnd() * 64));
      const from = at(len);
      b.copyWithin(at(len), from, from + len);
    }
  }
  return b;
}

/** Walks everything a consumer would touch in a BTF. */
export function exerciseBtf(btf: Btf): void {
  for (const t of btf.decodeAll()) {
    try { btf.sizeof(t); } catch (e) { if (!isXdpMetaError(e)) throw e; }
    try { btf.alignof(t); } catch (e) { if (!isXdpMetaError(e)) throw e; }
    try { btf.resolveTypedefs(t); } catch (e) { if (!isXdpMetaError(e)) throw e; }
  }
  btf.findByName('xdp_md');
  btf.findIdsByName('nested', 'STRUCT');
  btf.findIdsByEssentialName('xdp_md');
  dumpRaw(btf);
  dumpC(btf);
}

export function exerciseElf(bytes: Uint8Array): void {
  const elf = parseElf(bytes, 'fuzz.o');
  for (const s of elf.sections) elf.relocationsFor(s);
  programSections(elf);
  allFunctions(elf);
  externSymbols(elf);
  const btf = btfFromElf(elf);
  exerciseBtf(btf);
  btfExtFromElf(elf, btf);
}

export type Target = 'elf' | 'btf' | 'btf.ext';

export interface FuzzResult {
  runs: number;
  typedErrors: number;
  /** Inputs that produced something other than a typed error (with the seed to replay). */
  crashes: { seed: number; iteration: number; error: string }[];
  slowest: number;
}

/**
 * Runs `iterations` mutations of `seedInput` through the reader for `target`. For 'btf.ext' the
 * mutated bytes are read against `btfForExt` (the object's own, valid .BTF).
 */
export function fuzz(target: Target, seedInput: Uint8Array, iterations: number, seed: number, btfForExt?: Btf): FuzzResult {
  const rnd = prng(seed);
  const res: FuzzResult = { runs: 0, typedErrors: 0, crashes: [], slowest: 0 };
  for (let i = 0; i < iterations; i++) {
    const input = mutate(seedInput, rnd);
    const t0 = performance.now();
    try {
      if (target === 'elf') exerciseElf(input);
      else if (target === 'btf') exerciseBtf(parseBtf(input, 'fuzz.btf'));
      else parseBtfExt(input, 'fuzz.btf.ext', btfForExt!);
    } catch (e) {
      if (isXdpMetaError(e)) res.typedErrors++;
      else res.crashes.push({ seed, iteration: i, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) });
    }
    res.slowest = Math.max(res.slowest, performance.now() - t0);
    res.runs++;
  }
  return res;
}
