// Builds the metadata-check fixtures (test/fixtures/check/*.c) and the two stand-in "kernel" target BTFs once per process.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildBpfObject } from '../../helpers/clang';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';

const ASM = multiarchIncludeDir();
// The shared header's hash rides along as a define: the object cache keys on the .c text and the args only.
const COMMON = createHash('sha256').update(readFileSync(path.resolve(__dirname, '../../fixtures/check/check_common.h'))).digest('hex').slice(0, 12);
const ARGS = [...(ASM ? ['-idirafter', ASM] : []), `-DCHECK_COMMON_H_SHA=${COMMON}`];
const built = new Map<string, string>();

/** Object path of test/fixtures/check/<name>.bpf.c (or <name>.c for the kernels), with extra clang args (e.g. -D). */
export function fixture(name: string, extra: string[] = []): string {
  const key = [name, ...extra].join('\0');
  let p = built.get(key);
  if (!p) {
    const file = name.startsWith('kernel_') ? `check/${name}.c` : `check/${name}.bpf.c`;
    p = buildBpfObject(file, { args: [...ARGS, ...extra] });
    built.set(key, p);
  }
  return p;
}

/** The fixture's C source (absolute). */
export const sourceOf = (name: string): string => path.resolve(__dirname, '../../fixtures/check', `${name}.bpf.c`);

/** Target BTF with struct xdp_to_skb_metadata {magic, rx_hash, rx_timestamp} and all three metadata kfuncs. */
export const kernelA = (): string => fixture('kernel_a');
/** Target BTF with struct xdp_to_skb_metadata {rx_timestamp, rx_hash, magic} and only the 6.3 kfuncs. */
export const kernelB = (): string => fixture('kernel_b');
