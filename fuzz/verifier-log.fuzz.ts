// `npm run fuzz verifier-log`: long mutation fuzz of the verifier-log reader (FUZZ_ITERATIONS, FUZZ_SEED; 10 s / 1 GiB per input).
import { formatFuzzReport, runLogFuzz } from '../test/core/verifier/log-fuzz-run';

async function main(): Promise<number> {
  const iterations = Number(process.env.FUZZ_ITERATIONS ?? 5000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff);
  if (!(iterations > 0) || !Number.isInteger(seed)) {
    console.error('FUZZ_ITERATIONS and FUZZ_SEED take numbers');
    return 2;
  }
  const t0 = Date.now();
  const r = await runLogFuzz({ iterations, seed, timeLimitMs: 10_000, rssLimitBytes: 2 ** 30 });
  console.log(`verifier log (seed ${seed}): ${formatFuzzReport(r, (Date.now() - t0) / 1000)}`);
  for (const c of r.crashes.slice(0, 5)) console.log(`  crash at iteration ${c.iteration}: ${c.error}`);
  for (const h of r.hangs.slice(0, 5)) console.log(`  hang at iteration ${h.iteration} (${h.bytes} bytes)`);
  for (const m of r.memory.slice(0, 5)) console.log(`  memory at iteration ${m.iteration} (${m.bytes} bytes, RSS ${m.rss})`);
  return r.crashes.length + r.hangs.length + r.memory.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (e: unknown) => { console.error(e); process.exitCode = 1; });
