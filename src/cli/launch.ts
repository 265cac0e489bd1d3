// The `xdp-meta` executable (dist/cli.js): starts `check`'s compiles first, then loads the CLI bundle through V8's code cache.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { startEarlyInputs } from './commands/check-inputs';
import type { LaunchState } from './command';
import { loadWithCodeCache } from './code-cache';

const argv = process.argv.slice(2);
// clang is most of a `check` run: spawned now, it compiles while this process loads and compiles the CLI.
const launch: LaunchState = argv[0] === 'check' ? { checkInputs: startEarlyInputs(argv.slice(1)) } : {};
// The compiles reach their spawn through promise jobs only: let those run before the synchronous load.
setImmediate(() => {
  // A command with a bundle of its own (scripts/build.mjs) loads a fifth of the code; the rest load it all.
  const own = /^[a-z]+$/.test(argv[0] ?? '') ? path.join(__dirname, `cli-${argv[0]}.js`) : undefined;
  const bundle = own && existsSync(own) ? own : path.join(__dirname, 'cli-main.js');
  const loaded = loadWithCodeCache(bundle, argv[0] ?? '');
  if (loaded.save) process.once('exit', loaded.save);
  (loaded.exports as typeof import('./main')).runCli(argv, launch);
});
