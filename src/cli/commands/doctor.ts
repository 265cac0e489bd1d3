// `xdp-meta doctor`: reports clang, bpftool, kernel BTF, bpffs, privileges and headers, each with a verdict.
import { checkEnvironment, type EnvCheck } from '../../core/compile';
import { UsageError } from '../../core/util/errors';
import type { CliCommand } from '../command';

export function formatChecks(checks: readonly EnvCheck[]): string {
  const width = Math.max(...checks.map((c) => c.title.length));
  const lines = checks.map((c) =>
    `${c.status.padEnd(7)}  ${c.title.padEnd(width)}  ${c.detail}${c.fix ? `\n${' '.repeat(width + 11)}fix: ${c.fix}` : ''}`);
  const n = (s: EnvCheck['status']): number => checks.filter((c) => c.status === s).length;
  lines.push('', `${n('ok')} ok, ${n('warning')} warning${n('warning') === 1 ? '' : 's'}, ${n('missing')} missing`);
  return lines.join('\n');
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check clang, bpftool, kernel BTF, bpffs and BPF privileges on this machine',
  usage: [
    'usage: xdp-meta doctor [--json] [--clang PATH] [-I DIR]...',
    '',
    'One line per check with a verdict: ok, warning (works with limits) or missing (install it).',
    'Exit status 1 when something is missing.',
  ].join('\n'),
  async run(argv, io) {
    let json = false;
    let clang: string | undefined;
    const includes: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (arg === '--json') json = true;
      else if (arg === '--clang' || arg === '-I') {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`${arg} needs a value`);
        if (arg === '--clang') clang = v;
        else includes.push(v);
      } else if (arg.startsWith('--clang=')) clang = arg.slice('--clang='.length);
      else if (arg.startsWith('-I')) includes.push(arg.slice(2));
      else throw new UsageError(`unknown argument '${arg}'`);
    }
    const checks = await checkEnvironment({ clang, includes });
    io.out(json ? JSON.stringify(checks, null, 2) : formatChecks(checks));
    return checks.some((c) => c.status === 'missing') ? 1 : 0;
  },
};
