// `xdp-meta check`: the metadata check (CO-RE, bounds, producer/consumer layout, kfuncs) over sources or objects.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readInputFile } from '../../core/bpf/object-file';
import { objectFunctions } from '../../core/bpf/program';
import { kernelBtf } from '../../core/btf/load';
import { compileBpf, formatDiagnostic } from '../../core/compile';
import { formatJson, formatSarif, formatText, runCheck } from '../../core/check';
import type { CheckInput } from '../../core/check';
import { isElf, parseElf } from '../../core/elf/reader';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs } from '../args';
import type { CliCommand } from '../command';

const ARGS = defineArgs({
  options: {
    'target-btf': { type: 'string', valueName: 'FILE', description: 'BTF of the target kernel: raw BTF or an object with .BTF (default: the running kernel\'s)' },
    format: { type: 'string', choices: ['text', 'json', 'sarif'], default: 'text', description: 'the report as text, JSON or SARIF 2.1.0' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'add DIR to the include path of *.bpf.c inputs' },
    clang: { type: 'string', valueName: 'PATH', description: 'the clang to compile *.bpf.c inputs with' },
  },
  positionals: { name: 'INPUT' },
  passthrough: { name: 'CLANG-FLAG', description: 'flags for clang when compiling *.bpf.c inputs (e.g. -- -std=gnu2x -DDEBUG)' },
});

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
  async run(argv, io) {
    const { options: { 'target-btf': targetBtf, format, include: includes, clang }, positionals: files, passthrough: extraFlags } = parseArgs(ARGS, argv);
    if (files.length === 0) throw new UsageError('missing INPUT (a *.bpf.c or a BPF object)');
    if (targetBtf !== undefined && !existsSync(targetBtf)) throw new XdpMetaError(`${targetBtf}: no such file (--target-btf)`);
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-check-'));
    try {
      // Sources compile in parallel (clang is the slow part); inputs keep their command-line order.
      const compiling = Promise.all(files.map(async (file, i): Promise<CheckInput | undefined> => {
        // Refuses a directory or a device (/dev/zero: read forever) by name.
        const bytes = readInputFile(file, 'a BPF object or a C source');
        if (isElf(bytes)) return { objectPath: file, bytes };
        if (!file.endsWith('.c')) throw new XdpMetaError(`${file}: neither a BPF object (ELF) nor a C source (*.c)`);
        const out = path.join(tmp, `${i}-${path.basename(file, '.c')}.o`);
        const r = await compileBpf({ file, out, clang, includes, extraFlags });
        if (r.ok) return { objectPath: out, sourcePath: path.resolve(file) };
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
