// Bounded mutation fuzz of the ELF, BTF and BTF.ext readers inside the test suite.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { btfFromElf } from '../../../src/core/btf/load';
import { parseElf } from '../../../src/core/elf/reader';
import { requirePrereq } from '../../helpers/prereq';
import { allKindsObject, allKindsObjectBE, coreReloObject, haveClang } from './fixtures';
import { fuzz, type FuzzResult, type Target } from './fuzz-harness';

// Bounded in-suite run; `npm run fuzz formats -- --iterations N` runs long ones.
const ITERATIONS = 2000;
const SEED = Number(process.env.XDP_META_FUZZ_SEED ?? 0x5eed);

function check(name: string, r: FuzzResult): void {
  assert.equal(r.crashes.length, 0, `${name}: untyped errors, replay with seed ${SEED}:\n${r.crashes.slice(0, 3).map((c) => `#${c.iteration}: ${c.error}`).join('\n')}`);
  assert.ok(r.slowest < 2000, `${name}: one input took ${r.slowest.toFixed(0)} ms`);
  assert.ok(r.typedErrors > 0, `${name}: mutations never produced an error; the fuzzer is not reaching the reader`);
}

describe('core/btf mutation fuzz (ELF, BTF, BTF.ext readers)', () => {
  let objects: Uint8Array[];

  before(function () {
    requirePrereq(this, haveClang, 'clang-19');
    objects = [allKindsObject(), allKindsObjectBE(), coreReloObject()].map((p) => new Uint8Array(readFileSync(p)));
  });

  const targets: Target[] = ['elf', 'btf', 'btf.ext'];
  for (const target of targets) {
    it(`${target}: ${ITERATIONS} mutated inputs give only typed errors`, function () {
      this.timeout(120_000);
      const per = Math.ceil(ITERATIONS / objects.length);
      objects.forEach((obj, k) => {
        const elf = parseElf(obj, 'seed.o');
        const btf = btfFromElf(elf);
        const input = target === 'elf' ? obj : elf.sectionByName(target === 'btf' ? '.BTF' : '.BTF.ext')!.data;
        check(`${target} #${k}`, fuzz(target, input, per, SEED + k, btf));
      });
    });
  }
});
