// `xdp-meta check`: the metadata check (CO-RE, bounds, producer/consumer layout, kfuncs) over sources or objects.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputFile } from '../../core/bpf/object-file';
import { objectFunctions } from '../../core/bpf/program';
import { kernelBtf } from '../../core/btf/load';
import { formatDiagnostic } from '../../core/compile';
import { formatJson, formatSarif, formatText, runCheck } from '../../core/check';
import type { CheckInput } from '../../core/check';
import { parseElf } from '../../core/elf/reader';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import { formatOptions, parseArgs } from '../args';
import type { CliCommand } from '../command';
import { CHECK_ARGS, prepareInput } from './check-inputs';

const ARGS = CHECK_ARGS;

export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check data_meta use: CO-RE, bounds, producer/consumer layout, kfuncs',
  usage: [
    'usage: xdp-meta check INPUT... [--target-btf FILE] [--format text|json|sarif] [-I DIR]... [--clang PATH] [-- CLANG-FLAG...]',
    '',
    'INPUT is a *.bpf.c (compiled with the project clang driver) or a BPF object. Several inputs are',
    'checked together as one data_meta contract (an XDP producer and its consumers).',
    'The target is the running kernel\'s BTF unless --target-btf names another (raw BTF or an object',
    'with .BTF). Rules: docs/rules.md. Exit status 1 when any error is found.',
    '',
    formatOptions(ARGS),
  ].join('\n'),
  async run(argv, io, launch) {
    const { options: { 'target-btf': targetBtf, format, include: includes, clang }, positionals: files, passthrough: extraFlags } = parseArgs(ARGS, argv);
    if (files.length === 0) throw new UsageError('missing INPUT (a *.bpf.c or a BPF object)');
    if (targetBtf !== undefined && !existsSync(targetBtf)) throw new XdpMetaError(`${targetBtf}: no such file (--target-btf)`);
    const early = launch?.checkInputs && sameArgv(launch.checkInputs.argv, argv) ? launch.checkInputs : undefined;
    const tmp = early?.tmp ?? mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-check-'));
    try {
      const stage = { includes, extraFlags, clang };
      // Sources compile in parallel (clang is the slow part); inputs keep their command-line order.
      const compiling = Promise.all(files.map(async (file, i): Promise<CheckInput | undefined> => {
        // An input the launcher started is taken as it is; one it failed on is redone here, so that the error
        // reported is this bundle's own.
        const started = early && await early.inputs[i]!.catch(() => undefined);
        const p = started ?? await prepareInput(file, i, tmp, stage);
        if (p.kind === 'object') return { objectPath: file, bytes: p.bytes };
        const r = p.result;
        if (r.ok) return { objectPath: r.objectPath!, sourcePath: path.resolve(file) };
        for (const d of r.diagnostics.filter((x) => x.severity === 'error')) io.err(formatDiagnostic(d));
        io.err(`${file}: compile failed; nothing checked for this input`);
        return undefined;
      }));
      // While clang runs in its own process, read and index the kernel BTF the check will need. Only once the
      // compiles have started: their spawns wait in promise jobs, which run before the next macrotask.
      if (targetBtf === undefined) {
        // A compile that fails meanwhile (no clang) must not count as unhandled: `await compiling` reports it below.
        compiling.catch(() => undefined);
        await new Promise((resolve) => setImmediate(resolve));
        warmKernelBtf();
      }
      const prepared = await compiling;
      const inputs = prepared.filter((x): x is CheckInput => x !== undefined);
      const compileFailed = inputs.length < prepared.length;
      if (inputs.length === 0) return 1;
      // An object without programs has nothing to check: an error, not "0 error(s)". (The language server checks
      // sources still being written, so this stays out of runCheck.)
      for (const inp of inputs) {
        const name = inp.label ?? inp.objectPath ?? '<object>';
        const elf = parseElf(inp.bytes ?? readInputFile(inp.objectPath!, 'a BPF object'), name);
        if (objectFunctions(elf).length === 0) {
          throw new XdpMetaError(`${inp.sourcePath ?? name}: no BPF programs (no function symbols in executable sections): nothing to check`);
        }
      }
      const result = runCheck(inputs, { targetBtf: targetBtf });
      if (format === 'json') io.out(formatJson(result));
      else if (format === 'sarif') io.out(formatSarif(result));
      else io.out(formatText(result));
      return compileFailed || result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};

const sameArgv = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** Loads the running kernel's BTF and builds the name indexes the check looks up; absent BTF is reported later. */
function warmKernelBtf(): void {
  try {
    const btf = kernelBtf();
    btf.findByName('xdp_md', 'STRUCT');
    btf.findByName('bpf_xdp_adjust_meta', 'FUNC');
  } catch {
    // runCheck reports a missing or corrupt kernel BTF with its own error.
  }
}
