// Long run of the agent protocol fuzzer: `npm run fuzz agent-protocol [-- --iterations N --seed S]` (root: unshare, BPF).
import { readFileSync } from 'node:fs';
import { buildAsanAgent, formatFuzzResult, runAgentFuzz } from '../test/helpers/agent-fuzz';
import { buildBpfObject } from '../test/helpers/clang';

async function main(argv: string[]): Promise<number> {
  let iterations = 60_000;
  let seed = Date.now() % 0x7fffffff;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--iterations') iterations = Number(argv[++i]);
    else if (argv[i] === '--seed') seed = Number(argv[++i]);
    else { console.error(`unknown option ${argv[i]}`); return 2; }
  }
  if (!(iterations > 0) || !Number.isInteger(seed)) { console.error('--iterations and --seed take numbers'); return 2; }
  if (!buildAsanAgent()) { console.error('cannot build the sanitizer agent: make -C agent asan'); return 1; }
  const t0 = Date.now();
  const res = await runAgentFuzz({ iterations, seed, object: readFileSync(buildBpfObject('remote/meta_magic.bpf.c', { args: ['-I/usr/include/x86_64-linux-gnu'] })) });
  console.log(`${formatFuzzResult(res, (Date.now() - t0) / 1000)} (seed ${seed})`);
  for (const c of res.crashes.slice(0, 5)) console.log(`  crash after ${JSON.stringify(c.line.slice(0, 120))}:\n${c.report}`);
  for (const h of res.hangs.slice(0, 5)) console.log(`  hang after ${JSON.stringify(h.line.slice(0, 120))}`);
  return res.crashes.length || res.hangs.length ? 1 : 0;
}

main(process.argv.slice(2)).then((c) => process.exit(c), (e) => { console.error(e); process.exit(1); });
