// Long mutation-fuzz runs over the ELF, BTF and BTF.ext readers: `npm run fuzz formats -- [--iterations N] [--seed S] [--target elf|btf|btf.ext] [OBJ...]`.
import { readFileSync } from 'node:fs';
import { btfFromElf } from '../src/core/btf/load';
import { parseElf } from '../src/core/elf/reader';
import { buildBpfObject } from '../test/helpers/clang';
import { fuzz, type Target } from '../test/core/btf/fuzz-harness';

function main(argv: string[]): number {
  let iterations = 100_000;
  let seed = Date.now() % 0x7fffffff;
  let targets: Target[] = ['elf', 'btf', 'btf.ext'];
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--iterations') iterations = Number(argv[++i]);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--target') targets = [argv[++i] as Target];
    else if (a.startsWith('-')) { console.error(`unknown option ${a}`); return 2; }
    else files.push(a);
  }
  if (!(iterations > 0) || !Number.isInteger(seed)) { console.error('--iterations and --seed take numbers'); return 2; }
  const objs = files.length ? files : [
    buildBpfObject('btf/all-kinds.c'), buildBpfObject('btf/all-kinds.c', { args: ['--target=bpfeb'] }), buildBpfObject('btf/core-relo.c'),
  ];
  let crashes = 0;
  for (const [k, file] of objs.entries()) {
    const bytes = new Uint8Array(readFileSync(file));
    const elf = parseElf(bytes, file);
    const btf = btfFromElf(elf);
    for (const target of targets) {
      const input = target === 'elf' ? bytes : elf.sectionByName(target === 'btf' ? '.BTF' : '.BTF.ext')?.data;
      if (!input) continue;
      const t0 = Date.now();
      const r = fuzz(target, input, iterations, seed + k, btf);
      console.log(`${file} ${target}: ${r.runs} inputs, ${r.typedErrors} typed errors, ${r.crashes.length} crashes, slowest ${r.slowest.toFixed(1)} ms, ${((Date.now() - t0) / 1000).toFixed(1)} s (seed ${seed + k})`);
      for (const c of r.crashes.slice(0, 5)) console.log(`  iteration ${c.iteration}: ${c.error}`);
      crashes += r.crashes.length;
    }
  }
  return crashes ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
