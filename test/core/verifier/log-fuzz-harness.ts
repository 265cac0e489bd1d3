// Mutation fuzzing of the verifier-log reader: mutate real logs, run everything a consumer calls on them.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { explain, formatExplanation } from '../../../src/core/verifier/explain';
import { LineKind } from '../../../src/core/verifier/kinds';
import { parseLogText } from '../../../src/core/verifier/read';
import { isXdpMetaError } from '../../../src/core/util/errors';
import { prng } from '../btf/fuzz-harness';

export { prng };

export const LOG_FIXTURES = path.resolve(__dirname, '../../fixtures/verifier/logs');

/** The real logs the mutations start from (captured on this kernel, both levels). */
export function seedLogs(dir = LOG_FIXTURES): Buffer[] {
  return readdirSync(dir).filter((f) => f.endsWith('.log') || f.endsWith('.txt')).sort().map((f) => readFileSync(path.join(dir, f)));
}

const NUMBERS = ['0', '1', '-1', '7', '65535', '65536', '1000000', '2147483647', '2147483648', '4294967295', '4294967296',
  '18446744073709551615', '99999999999999999999999', '9'.repeat(400)];

/** Lines of every kind the parser knows, with numbers to be replaced: inserted to build odd sequences. */
const DICTIONARY = [
  '4294967295: (b7) r0 = 2', '0: (85) call pc+4', '3: (95) exit', 'from 4294967295 to 0: R1=ctx() R10=fp0', 'from 2 to 9: safe',
  '12: safe', 'func#7 @4294967295', 'Live regs before insn:', '      0: .12345.... (bf) r6 = r1', 'caller:', 'callee:',
  ' frame1: R1=ctx() R10=fp0', 'returning from callee:', 'to caller at 4294967295:', '; meta->x = 1; @ a.bpf.c:4294967295',
  'processed 4294967295 insns (limit 1000000) max_states_per_insn 9 total_states 9 peak_states 9 mark_read 0',
  'verification time 1 usec', 'stack depth 0+8+0', 'invalid access to packet, off=-7 size=1, R1(id=0,off=-7,r=8)',
  "R7 invalid mem access 'scalar'", 'Unreleased reference id=2 alloc_insn=4294967295', 'infinite loop detected at insn 0',
  "Global function f() doesn't return scalar. Only those are supported.", "Caller passes invalid args into func#1 ('f')",
  'libbpf: prog \'x\': -- BEGIN PROG LOAD LOG --', '-- END PROG LOAD LOG --', 'mark_precise: frame0: last_idx 9 first_idx 0',
  'SCC enter (1)', '(0) frame 0 insn 13 +live -8', 'cur state: R1=scalar()', 'old state: R1=scalar()', 'Validating f() func#1...',
  "Func#1 ('f') is global and assumed valid.", '10: (7b) *(u64 *)(r1 +8) = r4 BPF program is too large. Processed 1000001 insn',
  '6: <invalid CO-RE relocation>', 'failed to resolve CO-RE relocation <byte_off> [8] struct m.hash (0:1 @ offset 4)',
];

/** One to four edits: numbers, lines (delete, duplicate, move, insert from the dictionary), bytes, cuts, long lines. */
export function mutateLog(input: Buffer, rnd: () => number): Buffer {
  let lines = input.toString('latin1').split('\n');
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const idx = (): number => Math.floor(rnd() * Math.max(1, lines.length));
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const op = Math.floor(rnd() * 10);
    if (op <= 2) {
      // Replace one number on a line (pcs, offsets, ranges, ids, counts).
      const i = idx();
      const nums = [...(lines[i] ?? '').matchAll(/\d+/g)];
      if (nums.length) {
        const m = pick(nums);
        lines[i] = lines[i]!.slice(0, m.index) + pick(NUMBERS) + lines[i]!.slice(m.index! + m[0].length);
      }
    } else if (op === 3) lines.splice(idx(), 1);
    else if (op === 4) { const i = idx(); lines.splice(idx(), 0, ...Array(1 + Math.floor(rnd() * 50)).fill(lines[i] ?? '')); }
    else if (op === 5) lines.splice(idx(), 0, pick(DICTIONARY).replace(/4294967295/, pick(NUMBERS)));
    else if (op === 6) { const i = idx(); const j = idx(); [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? '']; }
    else if (op === 7) lines = lines.slice(Math.floor(rnd() * lines.length * 0.5), lines.length - Math.floor(rnd() * lines.length * 0.5));
    else if (op === 8) {
      // Bytes: flip, NUL, CR, a cut mid-line.
      const text = lines.join('\n');
      const at = Math.floor(rnd() * text.length);
      const ch = pick(['\r', '\0', '\xff', ';', ':', '(', ')', '=', ' ', String.fromCharCode(Math.floor(rnd() * 256))]);
      lines = (rnd() < 0.3 ? text.slice(0, at) : text.slice(0, at) + ch + text.slice(at + 1)).split('\n');
    } else {
      // A long line: a state dump or digits without end.
      const i = idx();
      lines[i] = (lines[i] ?? '') + pick([' R1=pkt(r=0)', 'R', '9', ' (', ';']).repeat(1 + Math.floor(rnd() * 20_000));
    }
  }
  return Buffer.from(lines.join('\n'), 'latin1');
}

/** Everything the CLI, the viewer and the diagnostics call on a log. Throws what the reader throws. */
export function exerciseLog(input: Buffer): void {
  const log = parseLogText(input, { source: 'fuzz.log' });
  log.summary();
  log.completeness();
  const e = explain(log);
  if (e) formatExplanation(e);
  const n = log.lineCount;
  log.page(0, 200);
  log.page(Math.max(0, n - 200), n);
  const err = log.error();
  const at = err && err.insnLogLine >= 0 ? err.insnLogLine : log.nextOfKind(n - 1, LineKind.Insn, -1);
  if (at >= 0) {
    log.stateBefore(at);
    log.stateAfter(at);
    for (const r of ['r0', 'r1', 'r6', 'fp-8']) log.history(at, r);
    log.linesOfInsn(log.data.pc[at]!);
  }
  log.toJSON();
}

export type Outcome = 'ok' | 'typed' | { crash: string };

export function runOne(input: Buffer): Outcome {
  try {
    exerciseLog(input);
    return 'ok';
  } catch (e) {
    if (isXdpMetaError(e)) return 'typed';
    return { crash: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e) };
  }
}
