// The interface `xdp-meta load` uses to load an object and get its verifier log (bpftool today, the agent later).
import { namesMetadataKfunc } from '../bpf/xdp-kfuncs';
import type { LoadRefusal } from './load-failure';

export interface LoadOptions {
  /** 1: the log of a failure only; 2: every instruction of every path (plus statistics). */
  logLevel: 1 | 2;
  /** Bind to this interface (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY) when the object calls metadata kfuncs. */
  dev?: string;
  /** Program to report on when the object has several. */
  program?: string;
}

export interface ProgramLog {
  program: string;
  /** The verifier log between libbpf's BEGIN/END markers. */
  log: string;
}

export interface LoadResult {
  /** True when the kernel accepted every program. */
  ok: boolean;
  /** Per program that printed a log. */
  logs: ProgramLog[];
  /** Everything the loader printed (libbpf output around the logs). */
  output: string;
  /** Why the load failed, one line naming who refused (libbpf or the kernel) and why. */
  failure?: string;
  /** The same, structured: who, at which stage, the errno, whether the kernel printed a log. */
  refusal?: LoadRefusal;
  /** Whether the program was loaded device-bound. */
  devBound: boolean;
}

export interface VerifierLoader {
  readonly name: string;
  /** Loads `obj`, collects the log, and unloads again; never leaves anything pinned or attached. */
  load(obj: string, opts: LoadOptions): Promise<LoadResult>;
}

/** Splits libbpf output into the per-program logs between `-- BEGIN PROG LOAD LOG --` and `-- END PROG LOAD LOG --`. */
export function extractProgramLogs(output: string): ProgramLog[] {
  const out: ProgramLog[] = [];
  const lines = output.split('\n');
  let cur: { program: string; lines: string[] } | undefined;
  for (const line of lines) {
    if (line.includes('-- BEGIN PROG LOAD LOG --')) {
      cur = { program: /prog '([^']+)'/.exec(line)?.[1] ?? '', lines: [] };
      continue;
    }
    if (cur && line.includes('-- END PROG LOAD LOG --')) {
      out.push({ program: cur.program, log: cur.lines.join('\n') + '\n' });
      cur = undefined;
      continue;
    }
    if (cur) cur.lines.push(line);
  }
  // A log cut off before its END marker (the loader died) is still a log.
  if (cur) out.push({ program: cur.program, log: cur.lines.join('\n') + '\n' });
  return out;
}

/** True when the object references a metadata kfunc: its name sits in the ELF string table. */
export const callsMetadataKfuncs = namesMetadataKfunc;
