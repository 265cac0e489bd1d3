// The kernel's verdict on one corpus program, read from its verifier log: accepted, a data_meta bounds rejection, or another.
import type { Fidelity } from './corpus-truth';

export type Kernel = 'accept' | 'reject-meta' | 'reject-other' | 'not-loaded';
export interface Row { file: string; program: string; section: string; kernel: Kernel; reason: string; ours: number; message?: string; fidelity?: Fidelity;
  /** Kernel mode: the stage libbpf refused at (section, map, ...), while deciding whether to load again with a type. */
  stage?: string }

const META_ERROR = /offset is outside of the packet|invalid access to packet|helper access to the packet is not allowed|R\d+ invalid mem access 'scalar'/;

/** The type the log last gave register `reg` before line `upTo` (`R3=pkt_meta(r=8)`, `R3_w=pkt(...)`). */
function lastType(lines: readonly string[], upTo: number, reg: string): string | undefined {
  const re = new RegExp(`\\b${reg}(?:_w|_rw|_r)?=([a-z_]+)`, 'g');
  for (let i = upTo; i >= 0; i--) {
    const all = [...lines[i]!.matchAll(re)];
    if (all.length) return all[all.length - 1]![1];
  }
  return undefined;
}

export function verdict(ok: boolean, log: string, failure: string | undefined): { kernel: Kernel; reason: string } {
  if (ok) return { kernel: 'accept', reason: '' };
  const lines = log.trim().split('\n');
  const errIdx = lines.findIndex((l) => META_ERROR.test(l) || /type=scalar expected=/.test(l));
  if (errIdx >= 0) {
    const line = lines[errIdx]!;
    const reg = /\b(R\d+)\b/.exec(line)?.[1];
    const type = reg ? lastType(lines, errIdx - 1, reg) : undefined;
    // A pointer made stale by a packet-moving helper is a scalar at the error (copied through other
    // registers, so by any name): a pkt_meta value seen before that helper's call.
    const call = lines.findIndex((l) => /call bpf_(xdp_adjust_(meta|head|tail)|skb_(pull_data|change_\w+|adjust_room|store_bytes))#/.test(l));
    const stale = /type=scalar expected=|invalid mem access 'scalar'/.test(line) && call >= 0 && call < errIdx && lines.slice(0, call).some((l) => /=pkt_meta\(/.test(l));
    return { kernel: type === 'pkt_meta' || stale ? 'reject-meta' : 'reject-other', reason: line.trim() };
  }
  const last = lines.filter((l) => l.trim() && !/^processed \d+ insns|^verification time/.test(l)).pop();
  return { kernel: log.trim() ? 'reject-other' : 'not-loaded', reason: (last ?? failure ?? '').trim().slice(0, 160) };
}
