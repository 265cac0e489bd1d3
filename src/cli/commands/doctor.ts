// `xdp-meta doctor`: reports clang, bpftool, kernel BTF, bpffs, privileges and headers, each with a verdict.
import { checkEnvironment, type EnvCheck } from '../../core/compile';
import { defineArgs, formatOptions, parseArgs } from '../args';
import type { CliCommand } from '../command';

const ARGS = defineArgs({
  options: {
    json: { type: 'boolean', description: 'the checks as a JSON array' },
    clang: { type: 'string', valueName: 'PATH', description: 'check this clang instead of the one found on PATH' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'look for headers in DIR too' },
  },
});

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
    '',
    formatOptions(ARGS),
  ].join('\n'),
  async run(argv, io) {
    const { options: o } = parseArgs(ARGS, argv);
    const json = o.json;
    const checks = await checkEnvironment({ clang: o.clang, includes: o.include });
    io.out(json ? JSON.stringify(checks, null, 2) : formatChecks(checks));
    return checks.some((c) => c.status === 'missing') ? 1 : 0;
  },
};
