// Writes a synthetic level-2 verifier log of N lines (real line shapes, repeated) for the browser test.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const BLOCK = [
  '; void *data = (void *)(long)ctx->data; @ meta_short_check.bpf.c:12',
  '5: R1=ctx() R6=ctx() R10=fp0',
  '5: (61) r2 = *(u32 *)(r6 +0)          ; R2_w=pkt(r=0) R6=ctx()',
  '; struct meta *meta = (void *)(long)ctx->data_meta; @ meta_short_check.bpf.c:13',
  '6: (61) r1 = *(u32 *)(r6 +8)          ; R1_w=pkt_meta(r=0) R6=ctx()',
  '7: (bf) r3 = r1                       ; R1=pkt_meta(r=0) R3_w=pkt_meta(r=0)',
  '8: (07) r3 += 4                       ; R3_w=pkt_meta(off=4,r=0)',
  '9: (2d) if r3 > r2 goto pc+4          ; R2=pkt(r=0) R3=pkt_meta(off=4,r=4)',
  '10: (7b) *(u64 *)(r10 -8) = r3        ; R3=pkt_meta(off=4,r=4) fp-8_w=pkt_meta(off=4,r=4)',
  '11: (79) r4 = *(u64 *)(r10 -8)        ; R4_w=pkt_meta(off=4,r=4) R10=fp0',
];
const HEAD = ['func#0 @0', '0: R1=ctx() R10=fp0', '; int meta_short_check(struct xdp_md *ctx) @ meta_short_check.bpf.c:8', '0: (bf) r6 = r1                       ; R1=ctx() R6_w=ctx()', '4: (55) if r0 != 0x0 goto pc+9        ; R0_w=0'];
const TAIL = [
  '; meta->hash = 7; @ meta_short_check.bpf.c:17',
  '12: (63) *(u32 *)(r4 +4) = r2',
  'invalid access to packet, off=4 size=4, R4(id=0,off=4,r=4)',
  'R4 offset is outside of the packet',
  'verification time 107 usec',
  'stack depth 8',
  'processed 1000000 insns (limit 1000000) max_states_per_insn 4 total_states 20000 peak_states 300 mark_read 2',
];

/** The log's path; rebuilt only when missing or of another size. Every 40th block starts a branch state. */
export function syntheticLog(lines: number): string {
  const dir = path.resolve(__dirname, '../../.cache/webview');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `synthetic-${lines}.vlog`);
  if (existsSync(file) && statSync(file).size > 0) return file;
  const out: string[] = [...HEAD];
  let block = 0;
  while (out.length < lines - TAIL.length) {
    if (block % 40 === 39) out.push('from 4 to 14: R0_w=0 R1=ctx() R6=ctx() R10=fp0');
    for (const l of BLOCK) if (out.length < lines - TAIL.length) out.push(l);
    block++;
  }
  out.push(...TAIL);
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}
