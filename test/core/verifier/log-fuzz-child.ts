// Child process of the log fuzzer: runs iterations [start, start+count) and reports each on fd 1, synchronously.
import { writeSync } from 'node:fs';
import { mutateLog, prng, runOne, seedLogs } from './log-fuzz-harness';

const { seed, start, count } = JSON.parse(process.argv[2] ?? '{}') as { seed: number; start: number; count: number };
const seeds = seedLogs();
for (let i = start; i < start + count; i++) {
  // One generator per iteration: after a hang the supervisor restarts at i + 1, and `i` alone replays an input.
  const rnd = prng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
  const input = mutateLog(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
  writeSync(1, `S ${i} ${input.length}\n`);
  const r = runOne(input);
  writeSync(1, `D ${i} ${typeof r === 'string' ? r : `crash ${JSON.stringify(r.crash)}`}\n`);
}
writeSync(1, `R ${process.resourceUsage().maxRSS * 1024}\n`);
