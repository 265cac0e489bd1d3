// dist/cli.js as built: the launcher that starts check's compiles early and loads the CLI through a code cache says what main() says.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { CLANG, hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';
import { haveVmlinux, VMLINUX } from '../core/btf/fixtures';

const REPO = path.resolve(__dirname, '../..');
const TEMPLATE = path.join(REPO, 'bpf-templates/af-xdp-hints/af_xdp_hints.bpf.c');

describe('cli/launch', function () {
  let dir: string;
  let tmp: string;
  let cli: string;
  before(async function () {
    requirePrereq(this, hasClang(), CLANG);
    requirePrereq(this, haveVmlinux, VMLINUX);
    // The bundles as scripts/build.mjs makes them, in a private folder (dist/ is rebuilt by other jobs meanwhile).
    dir = path.join(REPO, '.cache', `launch-cli-${process.pid}`);
    const bundles = pathToFileURL(path.join(REPO, 'scripts/cli-bundles.mjs')).href;
    const { onlyCommand } = await import(bundles) as { onlyCommand(name: string): Plugin };
    const opts = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' } as const;
    await Promise.all([
      build({ ...opts, entryPoints: [path.join(REPO, 'src/cli/launch.ts')], outfile: path.join(dir, 'cli.js') }),
      build({ ...opts, entryPoints: [path.join(REPO, 'src/cli/main.ts')], outfile: path.join(dir, 'cli-main.js') }),
      build({ ...opts, entryPoints: [path.join(REPO, 'src/cli/main.ts')], outfile: path.join(dir, 'cli-check.js'), plugins: [onlyCommand('check')] }),
    ]);
    cli = path.join(dir, 'cli.js');
    tmp = mkdtempSync(path.join(os.tmpdir(), 'launch-cli-'));
    mkdirSync(path.join(tmp, 'tmp'));
    writeFileSync(path.join(tmp, 'broken.bpf.c'), 'int x = ;\n');
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** The launcher in a process of its own, with a private cache folder and temp folder. */
  const launched = (argv: string[]): { code: number | null; out: string; err: string } => {
    const env = { ...process.env, XDP_META_CACHE_DIR: path.join(tmp, 'cache'), TMPDIR: path.join(tmp, 'tmp') };
    const r = spawnSync(process.execPath, [cli, ...argv], { env, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('checks a source as main() does, with the code cache missing and then present', async () => {
    const expected = await runCli(['check', TEMPLATE, '--clang', CLANG]);
    assert.equal(expected.code, 0, expected.err);
    assert.deepEqual(launched(['check', TEMPLATE, '--clang', CLANG]), expected);
    assert.ok(readdirSync(path.join(tmp, 'cache')).includes('code-cli-check.bin'), 'the first run leaves the code cache');
    assert.deepEqual(launched(['check', TEMPLATE, '--clang', CLANG, '--format', 'json']), await runCli(['check', TEMPLATE, '--clang', CLANG, '--format', 'json']));
    assert.deepEqual(readdirSync(path.join(tmp, 'tmp')), [], 'no compile folder left behind');
  });

  it('reports bad inputs and usage as main() does, started early or not', async () => {
    const cases = [
      ['check', path.join(tmp, 'broken.bpf.c'), '--clang', CLANG],
      ['check', path.join(tmp, 'missing.bpf.c'), '--clang', CLANG],
      ['check', TEMPLATE, '--clang', path.join(tmp, 'no-clang')],
      ['check', TEMPLATE, '--target-btf', path.join(tmp, 'missing.btf'), '--clang', CLANG],
      ['check', '--no-such-option', TEMPLATE],
      ['check', '--help', TEMPLATE],
      ['check'],
      ['--version'],
      ['btf', '--help'],
      ['no-such-command'],
    ];
    for (const argv of cases) {
      const want = await runCli(argv);
      assert.deepEqual(launched(argv), want, argv.join(' '));
    }
    assert.deepEqual(readdirSync(path.join(tmp, 'tmp')), [], 'no compile folder left behind');
  });

  it('reads a FIFO input once (its writer is gone by the time a second read would wait for one)', () => {
    const fifo = path.join(tmp, 'input.fifo');
    execFileSync('mkfifo', [fifo]);
    const env = { ...process.env, XDP_META_CACHE_DIR: path.join(tmp, 'cache'), TMPDIR: path.join(tmp, 'tmp') };
    const r = spawnSync('sh', ['-c', 'printf "not an object" > "$1" & exec "$2" "$3" check "$1"', 'sh', fifo, process.execPath, cli],
      { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, `xdp-meta check: error: ${fifo}: neither a BPF object (ELF) nor a C source (*.c)\n`);
  });
});
