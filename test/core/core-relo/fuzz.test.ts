import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { parseElf } from '../../../src/core/elf';
import { coreObjectFromBytes, fileTarget, relocateObject } from '../../../src/core/core-relo';
import { listObject } from '../../../src/core/bpf';
import { isXdpMetaError } from '../../../src/core/util/errors';

// Bounded mutation fuzz of the instruction and CO-RE layers: decode, list and relocate mutated objects.
// Long runs: XDP_META_FUZZ_ITERS=100000 npx mocha --require tsx/cjs test/core/core-relo/fuzz.test.ts
const ITERS = Number(process.env.XDP_META_FUZZ_ITERS ?? 400);
const inc = ['-I', `${__dirname}/../../fixtures/core-relo`];

/** xorshift32: deterministic, so a failure reproduces from its seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

describe('core/core-relo mutation fuzz', function () {
  this.timeout(120_000);
  before(function () { requirePrereq(this, hasClang(), 'clang-19'); });

  for (const src of ['core-relo/xdp-core.c', 'core-relo/flavors.c']) {
    it(`${src}: ${ITERS} mutants give results or typed errors only`, () => {
      const orig = readFileSync(buildBpfObject(src, { args: inc }));
      const target = fileTarget(buildBpfObject(src.includes('flavors') ? 'core-relo/flavors-target.c' : 'core-relo/target-alt.c'));
      // Aim most mutations at the parts this layer interprets: code, .BTF and .BTF.ext.
      const elf = parseElf(orig, src);
      const regions = elf.sections.filter((s) => s.name === '.BTF' || s.name === '.BTF.ext' || (s.flags & 4) !== 0)
        .map((s) => [s.offset, s.size] as const);
      const next = rng(0x5eed ^ orig.length);
      let typed = 0;
      for (let i = 0; i < ITERS; i++) {
        const bytes = Uint8Array.from(orig);
        const n = 1 + (next() % 8);
        for (let k = 0; k < n; k++) {
          const [off, size] = next() % 4 === 0 ? [0, bytes.length] : regions[next() % regions.length]!;
          const at = off + (next() % Math.max(1, size));
          bytes[at] = next() % 3 === 0 ? 0xff : next() & 0xff;
        }
        try {
          const obj = coreObjectFromBytes(bytes, `mutant#${i}`);
          listObject(obj.elf, obj.ext);
          relocateObject(obj, target);
        } catch (e) {
          if (!isXdpMetaError(e)) assert.fail(`mutant #${i} threw ${e instanceof Error ? e.stack : String(e)}`);
          typed++;
        }
      }
      assert.ok(typed < ITERS, 'some mutants still load');
    });
  }
});
