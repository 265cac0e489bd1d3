// `xdp-meta log FILE [--json]`: parses a verifier log (streamed) and prints its summary and the explained error.
import { explain, formatExplanation, type Explanation } from '../../core/verifier/explain';
import type { VerifierLog, VerifierSummary } from '../../core/verifier/model';
import { parseLogFile, parseLogText } from '../../core/verifier/read';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import { defineArgs, parseArgs } from '../args';
import type { CliCommand } from '../command';

const ARGS = defineArgs({
  options: { json: { type: 'boolean' } },
  positionals: { name: 'FILE', min: 1, max: 1 },
});

/** rejected: an error line; accepted: the final statistics and no error; unknown: neither (the log was cut off). */
export type Verdict = 'accepted' | 'rejected' | 'unknown';

export function logVerdict(s: VerifierSummary): Verdict {
  return s.error ? 'rejected' : s.processed_insns !== null ? 'accepted' : 'unknown';
}

/** The JSON shape of `log --json` (and of `load --json`): the summary plus the explanation when it failed. */
export interface LogReport extends VerifierSummary {
  verdict?: Verdict;
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
  report.verdict = logVerdict(report);
  return { report, explanation: e };
}

/** `verdict` overrides the one read from the log (a loader knows whether the kernel accepted the program). */
export function formatSummary(s: VerifierSummary, verdict: Verdict = logVerdict(s)): string {
  const word = verdict === 'rejected' ? 'REJECTED' : verdict === 'accepted' ? 'accepted' : 'verdict unknown';
  const lines = [
    `${s.program ? `program ${s.program}: ` : ''}${word} (log level ${s.level}, ${s.lines} lines` +
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
    'Exit status 1 when the log shows a rejection, or when it was cut off before the verifier\'s final',
    '`processed N insns` line (then whether the program was accepted is unknown).',
  ].join('\n'),
  async run(argv, io) {
    const { options: { json }, positionals: [file] } = parseArgs(ARGS, argv);
    if (!file) throw new UsageError('missing FILE'); // an empty operand ('') names no file
    let log: VerifierLog;
    if (file === '-') {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      log = parseLogText(Buffer.concat(chunks), { source: '<stdin>' });
    } else {
      log = await parseLogFile(file);
    }
    const name = file === '-' ? '<stdin>' : file;
    try {
      if (log.data.totalBytes === 0) throw new XdpMetaError(`${name}: empty (0 bytes): no verifier log in it`);
      const { report, explanation } = logReport(log);
      const c = log.completeness();
      if (!report.error && c.verifierLines === 0) {
        throw new XdpMetaError(`${name}: no BPF verifier log in it (${report.lines} line${report.lines === 1 ? '' : 's'}, none printed by the verifier)`);
      }
      if (json) io.out(JSON.stringify(report, null, 2));
      else io.out(formatSummary(report) + (explanation ? `\n\n${formatExplanation(explanation)}` : ''));
      if (report.verdict === 'unknown') {
        // Saying "accepted" here would be a guess: the error may have been in the part that is missing.
        io.err(`xdp-meta log: ${name}: the log stops at byte ${c.totalBytes}${c.endsMidLine ? ' in the middle of a line' : ''} with no error ` +
          'and no final "processed N insns" line: it was cut off, so whether the program was accepted is unknown');
        return 1;
      }
      return report.error ? 1 : 0;
    } finally {
      log.close();
    }
  },
};
