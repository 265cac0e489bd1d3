// Test helper: libbpf itself as the judge of CO-RE decisions — the fixture oracle (built with gcc against
// the installed libbpf) and `bpftool -d prog load`, both reduced to their "prog '…': relo #N: …" lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';

const FIXTURES = path.resolve(__dirname, '../../fixtures/core-relo');
const CACHE = path.resolve(__dirname, '../../../.cache/fixtures');
const ORACLE_SRC = path.join(FIXTURES, 'libbpf-oracle.c');

export function canBuildOracle(): boolean {
  return existsSync('/usr/include/bpf/libbpf.h') && spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
}

export function hasBpftool(): boolean {
  return spawnSync('bpftool', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Builds test/fixtures/core-relo/libbpf-oracle.c once (cached by content) and returns the binary. */
export function buildOracle(): string {
  const hash = createHash('sha256').update(readFileSync(ORACLE_SRC)).digest('hex').slice(0, 16);
  mkdirSync(CACHE, { recursive: true });
  const out = path.join(CACHE, `libbpf-oracle-${hash}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('gcc', ['-O1', '-Wall', '-o', tmp, ORACLE_SRC, '-lbpf'], { stdio: ['ignore', 'ignore', 'pipe'] });
  renameSync(tmp, out);
  return out;
}

const RELO_LINE = /^libbpf: (prog '[^']*': relo #\d+: .*)$/;

function reloLines(text: string): string[] {
  return text.split('\n').map((l) => RELO_LINE.exec(l)?.[1]).filter((l): l is string => l !== undefined);
}

/** libbpf's relocation log for OBJ against TARGET (undefined: the running kernel), optionally one program only. */
export function oracleLog(oracle: string, obj: string, target?: string, program?: string): string[] {
  const args = [obj, target ?? '-', ...(program ? [program] : [])];
  const r = spawnSync(oracle, args, { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`oracle ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return reloLines(r.stdout);
}

/** `bpftool -d prog load OBJ /sys/fs/bpf/<unique>`'s relocation lines (the pin, if the load succeeded, is removed). */
export function bpftoolLog(obj: string): string[] {
  const pin = `/sys/fs/bpf/corerelo_test_${process.pid}_${Date.now()}`;
  try {
    const r = spawnSync('bpftool', ['-d', 'prog', 'load', obj, pin], { encoding: 'utf8', timeout: 60_000 });
    return reloLines(`${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(pin, { force: true });
  }
}
