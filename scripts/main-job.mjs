// The main job (`npm start`): build everything, then run the doctor and check every template.
import { spawnSync } from 'node:child_process';
const run = (cmd, argv) => spawnSync(cmd, argv, { stdio: 'inherit' }).status ?? 1;
if (run('node', ['scripts/build.mjs']) !== 0) process.exit(1);
run('node', ['dist/cli.js', 'doctor']);
