// Real verifier logs for the log benchmarks: bench_loop.bpf.c built with -DITERS and loaded here, cached under .cache/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../src/core/compile/arch';
import { isBpffs } from '../src/core/util/bpffs';
import { BpftoolLoader } from '../src/core/verifier/bpftool-loader';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache/verifier-bench');
const SRC = path.join(ROOT, 'test/fixtures/verifier/bench_loop.bpf.c');
const CLANG = process.env.XDP_META_TEST_CLANG ?? 'clang-19';

/** Loading needs root and a mounted bpf filesystem; without them the log benchmarks take files from the environment. */
export function canMakeRealLogs(): boolean {
  return process.getuid?.() === 0 && isBpffs();
}

/** The log of bench_loop with -DITERS (and -DFAIL) at a log level; the loop count scales the log linearly. */
export async function realLog(iters: number, level: 1 | 2, fail: boolean): Promise<string> {
  const file = path.join(CACHE, `bench_loop-${iters}-l${level}${fail ? '-fail' : ''}.log`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  const obj = `${file}.o`;
  const include = multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu';
  execFileSync(CLANG, ['-target', 'bpf', '-O2', '-g', `-I${include}`, `-DITERS=${iters}`, ...(fail ? ['-DFAIL'] : []), '-c', SRC, '-o', obj]);
  const res = await new BpftoolLoader().load(obj, { logLevel: level });
  if (!res.logs[0]) throw new Error(`no verifier log for ITERS=${iters} level ${level}: ${res.failure ?? 'loaded without log'}`);
  writeFileSync(file, res.logs[0].log);
  return file;
}
