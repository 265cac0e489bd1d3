// The test command from README.md: builds, then runs every mocha suite and prints "N passed, N failed".
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const noE2e = args.includes('--no-e2e');
const run = (cmd, argv, env = process.env) => {
  const r = spawnSync(cmd, argv, { stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
};

if (run('node', ['scripts/build.mjs']) !== 0) process.exit(1);
const specs = ['test/**/*.test.ts'];
const mochaArgs = ['node_modules/mocha/bin/mocha.js', '--require', 'tsx/cjs', '--reporter', './test/reporter.cjs',
  '--timeout', '60000', ...specs];
if (noE2e) mochaArgs.push('--exclude', 'test/e2e/**');
process.exit(run('node', mochaArgs));
