// Shared fixture builders and tool probes for the ELF/BTF tests (objects are built once per run, cached by hash).
import { execFileSync } from 'node:child_process';
import { buildBpfObject, hasClang } from '../../helpers/clang';

export const BPFTOOL = process.env.XDP_META_TEST_BPFTOOL ?? 'bpftool';
export const VMLINUX = '/sys/kernel/btf/vmlinux';

function probe(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const haveClang = hasClang();
export const haveBpftool = probe(BPFTOOL, ['version']);
export const haveVmlinux = probe('test', ['-r', VMLINUX]);

/** The every-kind fixture, little-endian (`-target bpf` on x86 = bpfel). */
export const allKindsObject = (): string => buildBpfObject('btf/all-kinds.c');
/** The same source compiled big-endian. */
export const allKindsObjectBE = (): string => buildBpfObject('btf/all-kinds.c', { args: ['--target=bpfeb'] });
/** CO-RE relocations of several kinds in two program sections. */
export const coreReloObject = (): string => buildBpfObject('btf/core-relo.c');
export const coreReloObjectBE = (): string => buildBpfObject('btf/core-relo.c', { args: ['--target=bpfeb'] });

/** Runs a tool and returns stdout (large buffer: vmlinux dumps are megabytes). */
export function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}
