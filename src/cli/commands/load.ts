// `xdp-meta load OBJ`: loads an object on this host, prints the verifier summary (and explanation), writes the log, unloads.
import { writeFileSync } from 'node:fs';
import { objectFunctions } from '../../core/bpf/program';
import { isElf, parseElf } from '../../core/elf/reader';
import { readInputFile } from '../../core/bpf/object-file';
import { btfExtFromElf } from '../../core/btf/ext';
import { btfFromElf } from '../../core/btf/load';
import { AgentLoader, agentAvailable } from '../../core/verifier/agent-loader';
import { BpftoolLoader } from '../../core/verifier/bpftool-loader';
import { formatExplanation } from '../../core/verifier/explain';
import type { LoadResult, VerifierLoader } from '../../core/verifier/loader';
import { parseLogText } from '../../core/verifier/read';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import type { CliCommand } from '../command';
import { formatSummary, logReport } from './log';

const LOADERS = ['auto', 'agent', 'bpftool'];

export function pickLoader(name: string): VerifierLoader {
  if (name === 'agent') return new AgentLoader();
  if (name === 'bpftool') return new BpftoolLoader();
  if (name === 'auto') return agentAvailable() ? new AgentLoader() : new BpftoolLoader();
  throw new UsageError(`--loader must be auto, agent or bpftool (got '${name}')`);
}

/**
 * Reads OBJ with our own ELF reader before handing it to libbpf: a corrupt or truncated object then gets
 * an error with the file and byte offset instead of libbpf's "cannot open the object". A damaged .BTF or
 * .BTF.ext is refused too: libbpf would drop it with a debug message and load without CO-RE relocations.
 */
export function preflightObject(obj: string): void {
  const bytes = readInputFile(obj, 'a BPF object');
  // Not an object at all (a .bpf.c, a log): a usage mistake rather than a damaged file.
  if (!isElf(bytes)) throw new UsageError(`${obj}: not an ELF object (no \\x7fELF magic at byte offset 0): load takes a BPF object built with clang -target bpf`);
  const elf = parseElf(bytes, obj);
  if (elf.sectionByName('.BTF')) btfExtFromElf(elf, btfFromElf(elf));
  if (objectFunctions(elf).length === 0) {
    throw new XdpMetaError(`${obj}: no BPF programs (no function symbols in executable sections): nothing to load`);
  }
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
    let obj: string | undefined;
    let level: 1 | 2 = 1;
    let dev: string | undefined;
    let logFile: string | undefined;
    let program: string | undefined;
    let loaderName = process.env.XDP_META_LOADER ?? 'auto';
    let json = false;
    for (let i = 0; i < argv.length; i++) {
      // `--opt=value` as well as `--opt value`, like the other commands.
      const eq = argv[i].startsWith('--') ? argv[i].indexOf('=') : -1;
      const a = eq > 0 ? argv[i].slice(0, eq) : argv[i];
      const value = (): string => {
        const v = eq > 0 ? argv[i].slice(eq + 1) : argv[++i];
        if (v === undefined) throw new UsageError(`${a} needs a value`);
        return v;
      };
      if (a === '--log-level') {
        const v = value();
        if (v !== '1' && v !== '2') throw new UsageError(`--log-level must be 1 or 2 (got '${v}')`);
        level = Number(v) as 1 | 2;
      } else if (a === '--dev') dev = value();
      else if (a === '--log') logFile = value();
      else if (a === '--program') program = value();
      else if (a === '--loader') loaderName = value();
      else if (a === '--json' && eq < 0) json = true;
      else if (a.startsWith('-')) throw new UsageError(`unknown option '${argv[i]}'`);
      else if (obj === undefined) obj = a;
      else throw new UsageError(`unexpected argument '${a}'`);
    }
    if (!obj) throw new UsageError('missing OBJ');
    if (!LOADERS.includes(loaderName)) pickLoader(loaderName); // the usage error first
    preflightObject(obj);
    const loader = pickLoader(loaderName);
    const res = await loader.load(obj, { logLevel: level, ...(dev ? { dev } : {}), ...(program ? { program } : {}) });
    const chosen = chooseLog(res, program);
    if (logFile) {
      try {
        writeFileSync(logFile, chosen?.log ?? '');
      } catch (e) {
        throw new XdpMetaError(`${logFile}: cannot write the verifier log`, { cause: e });
      }
    }
    // No verifier log (level 1 success, or libbpf failed before loading): summarise libbpf's output instead.
    const log = parseLogText(chosen?.log ?? res.output, { source: obj, level });
    const { report, explanation } = logReport(log);
    if (!report.program && chosen?.program) report.program = chosen.program;
    if (!res.ok && !report.error) report.error = { message: res.failure ?? 'load failed', insn: null, file: null, line: null };
    report.verdict = res.ok ? 'accepted' : 'rejected';
    const out = { ...report, loaded: res.ok, loader: loader.name, dev_bound: res.devBound };
    if (json) io.out(JSON.stringify(out, null, 2));
    else {
      io.out(`${obj}: ${res.ok ? 'loaded and unloaded' : `load failed${res.failure ? ` (${res.failure})` : ''}`} via ${loader.name}` +
        `${res.devBound ? `, device-bound to ${dev}` : ''}\n${formatSummary(report, res.ok ? 'accepted' : 'rejected')}` +
        (explanation ? `\n\n${formatExplanation(explanation)}` : '') + (logFile ? `\n\nverifier log written to ${logFile}` : ''));
    }
    return res.ok ? 0 : 1;
  },
};
