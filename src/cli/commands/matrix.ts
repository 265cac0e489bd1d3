// `xdp-meta matrix INPUT... --kernel K...`: every program judged against every kernel, statically and by its real verifier.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveKernel, type KernelTarget } from '../../core/kernels';
import { matrixPrograms, runMatrix, type MatrixCell, type MatrixReport } from '../../core/matrix';
import { UsageError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs } from '../args';
import type { CliCommand } from '../command';

const ARGS = defineArgs({
  options: {
    kernel: { type: 'list', short: 'k', valueName: 'K', description: 'a kernel: running, a Debian package (linux-image-...), or a vmlinuz, vmlinux or raw BTF file' },
    json: { type: 'boolean', description: 'print the matrix as JSON' },
    'log-level': { type: 'number', choices: ['1', '2'], default: 1, description: 'verifier log level of the loads' },
    'static-only': { type: 'boolean', description: 'only the static findings against each kernel\'s BTF (no VM)' },
    'no-cache': { type: 'boolean', description: 'load again even when a result for (object, kernel) is cached' },
    'boot-timeout': { type: 'number', min: 1, valueName: 'S', description: 'seconds a VM may take to boot (default 120)' },
    jobs: { type: 'number', min: 1, integer: true, short: 'j', valueName: 'N', description: 'VMs booted at once (default: the cores)' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'add DIR to the include path of *.bpf.c inputs' },
    clang: { type: 'string', valueName: 'PATH', description: 'the clang to compile *.bpf.c inputs with' },
  },
  positionals: { name: 'INPUT' },
});

function cellText(c: MatrixCell): string {
  const l = c.load;
  if (l.verdict === 'not-run') return 'not run';
  const insns = l.processed_insns !== null ? ` (${l.processed_insns} insns)` : '';
  return l.verdict === 'accepted' ? `accepted${insns}` : `REJECTED${insns}`;
}

export function formatMatrixText(r: MatrixReport): string {
  const lines: string[] = [];
  for (const k of r.kernels) lines.push(`kernel ${k.id}: ${k.release} (${k.source})`);
  const programs = [...new Map(r.results.map((c) => [`${c.object}\0${c.program}`, c])).values()];
  for (const p of programs) {
    lines.push('', `${p.object}: ${p.program}`);
    for (const c of r.results.filter((x) => x.object === p.object && x.program === p.program)) {
      lines.push(`  ${c.kernel}: ${cellText(c)}`);
      const e = c.load.error;
      if (e && c.load.verdict !== 'accepted') lines.push(`    ${e.message.split('\n')[0]}${e.line ? ` (${e.file ?? ''}:${e.line}${e.insn !== null ? `, insn ${e.insn}` : ''})` : e.insn !== null ? ` (insn ${e.insn})` : ''}`);
      if (c.load.log_file) lines.push(`    verifier log: ${c.load.log_file}`);
      for (const d of c.static.diagnostics) lines.push(`    ${d.severity} ${d.code}: ${d.message} (${d.file}:${d.line})`);
    }
  }
  return lines.join('\n');
}

export const matrixCommand: CliCommand = {
  name: 'matrix',
  summary: 'judge programs against several kernels: static checks per kernel BTF and each kernel\'s real verifier in a microVM',
  usage: [
    'usage: xdp-meta matrix INPUT... --kernel K... [--json] [--static-only] [--no-cache] [--log-level 1|2] [-j N] [--boot-timeout S]',
    '',
    'INPUT is a *.bpf.c or a BPF object; every program in it is judged against every kernel K:',
    '  running             this machine\'s kernel (loads through the local agent)',
    '  linux-image-...     a Debian kernel package, downloaded with apt into ~/.cache/xdp-meta/kernels once',
    '  FILE                a vmlinuz (boots), a vmlinux or raw BTF (static checks only)',
    'Kernels boot in QEMU (TCG) microVMs, several at once; results are cached by (object, kernel).',
    'Exit status 1 when any program is rejected by any kernel (or a kernel could not be run).',
    '',
    formatOptions(ARGS),
  ].join('\n'),
  async run(argv, io) {
    const { options: o, positionals: files } = parseArgs(ARGS, argv);
    if (files.length === 0) throw new UsageError('missing INPUT (a *.bpf.c or a BPF object)');
    if (o.kernel.length === 0) throw new UsageError('missing --kernel K (running, a linux-image-* package, or a vmlinuz/vmlinux/BTF file)');
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-matrix-'));
    // SIGINT/SIGTERM: remove our temp folder; QEMU dies with us by its parent-death signal.
    const onSignal = (sig: NodeJS.Signals): void => {
      rmSync(tmp, { recursive: true, force: true });
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let kernelFailed = false;
    try {
      const programs = await matrixPrograms(files, { outDir: tmp, clang: o.clang, includes: o.include });
      // The objects are in memory now: nothing of ours stays on disk while VMs run (a SIGKILL cannot clean up).
      rmSync(tmp, { recursive: true, force: true });
      const kernels: KernelTarget[] = [];
      for (const k of o.kernel) kernels.push(resolveKernel(k, (m) => io.err(m)));
      const report = await runMatrix(programs, kernels, {
        staticOnly: o['static-only'], noCache: o['no-cache'], logLevel: o['log-level'] as 1 | 2,
        ...(o['boot-timeout'] ? { bootTimeoutMs: o['boot-timeout'] * 1000 } : {}),
        ...(o.jobs ? { concurrency: o.jobs } : {}),
        onProgress: (m) => { if (!o.json) io.err(m); },
        onKernelError: (k, e) => { kernelFailed = true; io.err(`xdp-meta matrix: error: ${e.message}`); },
      });
      io.out(o.json ? JSON.stringify(report, null, 2) : formatMatrixText(report));
      return kernelFailed || report.results.some((c) => c.load.verdict === 'rejected') ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
