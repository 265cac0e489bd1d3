// Who owns a metadata struct's layout (the kernel or the program): one answer for the check's rules and the editor's hover.
import type { Btf } from '../btf/types';

/**
 * The XDP-hints discussion proposed a kernel-owned `struct xdp_to_skb_metadata` whose layout each
 * kernel would randomise, so that programs must read it through CO-RE. It was never merged: a
 * kernel without it is the common case, and the advice is to pick a target that has it, never to
 * drop CO-RE from it.
 */
export const PROPOSED_KERNEL_STRUCTS: ReadonlyMap<string, string> = new Map([
  ['xdp_to_skb_metadata', 'proposed in the XDP-hints discussion, never merged into Linux'],
]);

export interface StructOwnership {
  owner: 'kernel' | 'program';
  /** Why, in words, for a hover or a message ("in the running kernel", "proposed …, not in this target"). */
  why: string;
}

/**
 * The kernel owns a struct the target BTF has (by name, struct or union: what meta-not-core matches) and
 * the proposed kernel structs even where a target lacks them; every other metadata struct is the program's.
 */
export function structOwnership(name: string, target: Btf | undefined, targetLabel: string): StructOwnership {
  const inTarget = target ? target.findByName(name, 'STRUCT') ?? target.findByName(name, 'UNION') : undefined;
  if (inTarget) return { owner: 'kernel', why: `kernel-owned: ${targetLabel} has it` };
  const proposal = PROPOSED_KERNEL_STRUCTS.get(name);
  if (proposal) return { owner: 'kernel', why: `kernel-owned by design, ${proposal}; absent from ${targetLabel}` };
  return { owner: 'program', why: 'program-owned' };
}
