// Test helper: llvm-objdump-19's instruction text per ELF section and slot index, and fixture builds for the bpf tests.
import { execFileSync } from 'node:child_process';

export const LLVM_OBJDUMP = process.env.XDP_META_TEST_OBJDUMP ?? 'llvm-objdump-19';

export function hasTool(cmd: string, args: string[] = ['--version']): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `section -> slot index -> text` from `llvm-objdump-19 -d` (optionally `--mattr=+alu32`). */
export function objdumpInsns(obj: string, alu32 = false): Map<string, Map<number, string>> {
  const text = execFileSync(LLVM_OBJDUMP, ['-d', ...(alu32 ? ['--mattr=+alu32'] : []), obj], { encoding: 'utf8' });
  const out = new Map<string, Map<number, string>>();
  let sec: Map<number, string> | undefined;
  for (const line of text.split('\n')) {
    const s = /^Disassembly of section (.*):$/.exec(line);
    if (s) { sec = new Map(); out.set(s[1]!, sec); continue; }
    const i = /^\s*(\d+):\t(?:[0-9a-f]{2} ?)+\t(.*)$/.exec(line);
    if (i && sec) sec.set(Number(i[1]), i[2]!);
  }
  return out;
}

/** `-I` for the multiarch <asm/types.h> that <linux/bpf.h> needs when compiling for -target bpf. */
export function multiarchInclude(): string[] {
  try {
    const triple = execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim();
    return triple ? ['-I', `/usr/include/${triple}`] : [];
  } catch {
    return [];
  }
}
