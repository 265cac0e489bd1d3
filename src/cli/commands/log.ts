// `xdp-meta log FILE [--json]`: parses a verifier log (streamed) and prints its summary and the explained error.
import { explain, formatExplanation, type Explanation } from '../../core/verifier/explain';
import type { VerifierLog, VerifierSummary } from '../../core/verifier/model';
import { parseLogFile, parseLogText } from '../../core/verifier/read';
import { UsageError } from '../../core/util/errors';
import type { CliCommand } from '../command';

/** The JSON shape of `log --json` (and of `load --json`): the summary plus the explanation when it failed. */
export interface LogReport extends VerifierSummary {
  explanation?: Pick<Explanation, 'id' | 'title' | 'explanation' | 'fix' | 'fixCode' | 'register' | 'facts'> & {
    history: { insn: number; text: string; value?: string; line?: number }[];
  };
}

export function logReport(log: VerifierLog): { report: LogReport; explanation: Explanation | null } {
  const report: LogReport = log.summary();
  const e = explain(log);
  if (e) {
    report.explanation = {
      id: e.id, title: e.title, explanation: e.explanation, fix: e.fix, facts: e.facts,
      history: e.history.map((h) => ({ insn: h.pc, text: h.insn, ...(h.value ? { value: h.value } : {}), ...(h.source?.line ? { line: h.source.line } : {}) })),
      ...(e.fixCode ? { fixCode: e.fixCode } : {}),
      ...(e.register ? { register: e.register } : {}),
    };
    // libbpf failed before the verifier ran: report that as the error.
    if (!report.error) report.error = { message: e.message, insn: null, file: null, line: null };
  }
  return { report, explanation: e };
}

export function formatSummary(s: VerifierSummary): string {
  const lines = [
    `${s.program ? `program ${s.program}: ` : ''}${s.error ? 'REJECTED' : 'accepted'} (log level ${s.level}, ${s.lines} lines` +
      `${s.unknown_lines ? `, ${s.unknown_lines} unrecognised` : ''}${s.truncated ? ', truncated' : ''})`,
  ];
  const st: string[] = [];
  if (s.processed_insns !== null) st.push(`processed ${s.processed_insns} insns`);
  if (s.total_states !== null) st.push(`total_states ${s.total_states}`);
  if (s.peak_states !== null) st.push(`peak_states ${s.peak_states}`);
  if (s.max_states_per_insn !== null) st.push(`max_states_per_insn ${s.max_states_per_insn}`);
  if (s.verification_time_usec !== null) st.push(`${s.verification_time_usec} usec`);
  if (s.stack_depth) st.push(`stack depth ${s.stack_depth.join('+')}`);
  if (st.length) lines.push(st.join(', '));
  return lines.join('\n');
}

export const logCommand: CliCommand = {
  name: 'log',
  summary: 'summarise a BPF verifier log and explain why the program was rejected',
  usage: [
    'usage: xdp-meta log FILE [--json]',
    '',
    'FILE is a verifier log (level 1 or 2, any kernel 5.x-6.18), bpftool/libbpf output around one, or - for stdin.',
    'Prints the summary {level, error: {message, insn, file, line}, processed_insns, total_states, peak_states,',
    'lines, unknown_lines} and, when the program was rejected, the explanation with the fix.',
    'Exit status 1 when the log shows a rejection.',
  ].join('\n'),
  async run(argv, io) {
    let json = false;
    let file: string | undefined;
    for (const a of argv) {
      if (a === '--json') json = true;
      else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`);
      else if (file === undefined) file = a;
      else throw new UsageError(`unexpected argument '${a}'`);
    }
    if (!file) throw new UsageError('missing FILE');
    let log: VerifierLog;
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      log = parseLogText(Buffer.concat(chunks), { source: '<stdin>' });
    } else {
      log = await parseLogFile(file);
    }
    try {
      const { report, explanation } = logReport(log);
      if (json) io.out(JSON.stringify(report, null, 2));
      else io.out(formatSummary(report) + (explanation ? `\n\n${formatExplanation(explanation)}` : ''));
      return report.error ? 1 : 0;
    } finally {
      log.close();
    }
  },
};
