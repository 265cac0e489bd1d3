// `xdp-meta load OBJ`: loads an object on this host, prints the verifier summary (and explanation), writes the log, unloads.
import { preflightObject } from '../../core/remote/preflight';
import { AgentLoader, agentAvailable } from '../../core/verifier/agent-loader';
import { BpftoolLoader } from '../../core/verifier/bpftool-loader';
import { formatExplanation } from '../../core/verifier/explain';
import type { LoadResult, VerifierLoader } from '../../core/verifier/loader';
import { parseLogText } from '../../core/verifier/read';
import { UsageError } from '../../core/util/errors';
import { defineArgs, parseArgs } from '../args';
import { writeLogFile } from '../log-file';
import type { CliCommand } from '../command';
import { formatSummary, logReport } from './log';

const LOADERS = ['auto', 'agent', 'bpftool'];

const ARGS = defineArgs({
  options: {
    'log-level': { type: 'number', choices: ['1', '2'], default: 1 },
    dev: { type: 'string', valueName: 'IFNAME' },
    log: { type: 'string', valueName: 'FILE' },
    program: { type: 'string', valueName: 'NAME' },
    loader: { type: 'string', choices: LOADERS },
    json: { type: 'boolean' },
  },
  positionals: { name: 'OBJ', min: 1, max: 1 },
});

export function pickLoader(name: string): VerifierLoader {
  if (name === 'agent') return new AgentLoader();
  if (name === 'bpftool') return new BpftoolLoader();
  if (name === 'auto') return agentAvailable() ? new AgentLoader() : new BpftoolLoader();
  throw new UsageError(`--loader must be auto, agent or bpftool (got '${name}')`);
}

/** The log to report on: the named program's, else the first rejected one's, else the last. */
function chooseLog(res: LoadResult, program?: string): { program: string; log: string } | undefined {
  if (program) {
    const hit = res.logs.find((l) => l.program === program);
    if (hit) return hit;
    if (res.logs.length > 1) throw new UsageError(`--program ${program}: the object printed logs for ${res.logs.map((l) => l.program).join(', ')}`);
  }
  return res.logs.find((l) => /^processed \d+ insns/m.test(l.log) && !res.ok) ?? res.logs[res.logs.length - 1];
}

export const loadCommand: CliCommand = {
  name: 'load',
  summary: 'load a BPF object on this host, print the verifier summary and explanation, then unload',
  usage: [
    'usage: xdp-meta load OBJ [--log-level 1|2] [--dev IFNAME] [--log FILE] [--program NAME] [--loader auto|agent|bpftool] [--json]',
    '',
    'Loads every program of OBJ (as root; bpffs mounted), prints the verifier summary, writes the full',
    'verifier log to FILE with --log, and unloads again (nothing stays pinned or attached).',
    'With --dev, a program that calls bpf_xdp_metadata_* kfuncs is loaded device-bound to IFNAME.',
    'Level 1 logs only a rejection; level 2 logs every instruction of every path.',
    'The loader is the xdp-meta agent when built (agent/build), else bpftool. Exit status 1 when rejected.',
  ].join('\n'),
  async run(argv, io) {
    const { options: o, positionals: [obj] } = parseArgs(ARGS, argv);
    if (!obj) throw new UsageError('missing OBJ'); // an empty operand ('') names no file
    const level = o['log-level'] as 1 | 2;
    const { dev, log: logFile, program, json } = o;
    // The environment's loader is checked like the option's, by pickLoader below.
    const loaderName = o.loader ?? process.env.XDP_META_LOADER ?? 'auto';
    if (!LOADERS.includes(loaderName)) pickLoader(loaderName); // the usage error first
    preflightObject(obj);
    const loader = pickLoader(loaderName);
    const res = await loader.load(obj, { logLevel: level, ...(dev ? { dev } : {}), ...(program ? { program } : {}) });
    const chosen = chooseLog(res, program);
    if (logFile) writeLogFile(logFile, chosen?.log ?? '');
    // No verifier log (level 1 success, or refused before the verifier ran): libbpf's output still explains
    // some refusals (a missing kfunc), but it is not a log: no line counts, and the error says who refused.
    const noLog = !res.ok && !chosen;
    const log = parseLogText(chosen?.log ?? res.output, { source: obj, level });
    const { report, explanation } = logReport(log);
    if (!report.program && chosen?.program) report.program = chosen.program;
    if (noLog) {
      report.lines = 0;
      report.unknown_lines = 0;
      report.truncated = false;
      report.error = { message: res.failure ?? 'load failed', insn: null, file: null, line: null };
    }
    if (!res.ok && !report.error) report.error = { message: res.failure ?? 'load failed', insn: null, file: null, line: null };
    report.verdict = res.ok ? 'accepted' : 'rejected';
    const out = {
      ...report, loaded: res.ok, loader: loader.name, dev_bound: res.devBound,
      ...(res.refusal ? { refused_by: res.refusal.by, refusal_stage: res.refusal.stage, ...(res.refusal.errno ? { errno: res.refusal.errno } : {}) } : {}),
      verifier_log: !!chosen,
    };
    if (json) io.out(JSON.stringify(out, null, 2));
    else {
      io.out(`${obj}: ${res.ok ? 'loaded and unloaded' : 'load failed'} via ${loader.name}` +
        `${res.devBound ? `, device-bound to ${dev}` : ''}${!res.ok && res.failure ? `: ${res.failure}` : ''}\n` +
        (noLog ? 'no verifier log: the kernel did not verify the program' : formatSummary(report, res.ok ? 'accepted' : 'rejected')) +
        (explanation ? `\n\n${formatExplanation(explanation)}` : '') + (logFile ? `\n\nverifier log written to ${logFile}` : ''));
    }
    return res.ok ? 0 : 1;
  },
};
