// Metadata structs that belong to the kernel by design even where a given kernel lacks them.

/**
 * The XDP-hints discussion proposed a kernel-owned `struct xdp_to_skb_metadata` whose layout each
 * kernel would randomise, so that programs must read it through CO-RE. It was never merged: a
 * kernel without it is the common case, and the advice is to pick a target that has it, never to
 * drop CO-RE from it.
 */
export const PROPOSED_KERNEL_STRUCTS: ReadonlyMap<string, string> = new Map([
  ['xdp_to_skb_metadata', 'proposed in the XDP-hints discussion, never merged into Linux'],
]);
