// Benchmark: CO-RE relocation of one object against the running kernel's BTF beside `bpftool gen min_core_btf` (the anchor).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildBpfObject } from '../test/helpers/clang';
import { readBtfFile } from '../src/core/btf/load';
import { loadCoreObject, relocateObject } from '../src/core/core-relo';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const VMLINUX = '/sys/kernel/btf/vmlinux';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function main(): void {
  const obj = buildBpfObject(path.resolve(__dirname, '../test/fixtures/core-relo/xdp-core.c'),
    { args: ['-I', path.resolve(__dirname, '../test/fixtures/core-relo')] });
  const out = mkdtempSync(path.join(os.tmpdir(), 'relo-bench-'));
  try {
    // Anchor: bpftool resolves every relocation of OBJ against vmlinux to write the minimal BTF.
    const bpftool: number[] = [];
    for (let i = 0; i <= ROUNDS; i++) {
      const s = performance.now();
      const r = spawnSync('bpftool', ['gen', 'min_core_btf', VMLINUX, path.join(out, 'min.btf'), obj], { stdio: 'ignore' });
      const t = performance.now() - s;
      if (r.status !== 0) throw new Error(`bpftool gen min_core_btf exited ${r.status}`);
      if (i > 0) bpftool.push(t); // round 0 warms the page cache
    }
    // First in a fresh process: what one `xdp-meta relocs` run pays (its code not yet optimized either).
    const first: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', path.resolve(__dirname, 'relo-run.ts'), obj, VMLINUX], { encoding: 'utf8' });
      first.push((JSON.parse(out.trim().split('\n').pop()!) as { firstMs: number }).firstMs);
    }
    // Cold: a fresh vmlinux BTF each round (read, candidate index, relocate), as a one-shot CLI run does.
    const cold: number[] = [];
    let count = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const s = performance.now();
      const target = { main: readBtfFile(VMLINUX), mainName: 'vmlinux' };
      count = relocateObject(loadCoreObject(obj), target).length;
      cold.push(performance.now() - s);
    }
    // Warm: vmlinux already loaded and indexed (the language server keeps it), object re-read each round.
    const target = { main: readBtfFile(VMLINUX), mainName: 'vmlinux' };
    relocateObject(loadCoreObject(obj), target);
    const warm: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const s = performance.now();
      relocateObject(loadCoreObject(obj), target);
      warm.push(performance.now() - s);
    }
    const b = median(bpftool);
    const row = (label: string, xs: number[]): string =>
      `${label.padEnd(48)} ${median(xs).toFixed(1).padStart(7)} ${Math.min(...xs).toFixed(1).padStart(7)}   ${(median(xs) / b).toFixed(2)}`;
    console.log(`object: test/fixtures/core-relo/xdp-core.c (${count} CO-RE relocations); target ${VMLINUX}; ${ROUNDS} rounds; ms median, min, ratio of medians`);
    console.log(row('bpftool gen min_core_btf (whole process)', bpftool));
    console.log(row('relocateObject, first in a fresh process', first));
    console.log(row('relocateObject cold (load vmlinux + index)', cold));
    console.log(row('relocateObject warm (vmlinux cached)', warm));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

main();
