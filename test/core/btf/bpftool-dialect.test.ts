// --like-bpftool: the user's bpftool is asked how it prints 1-byte enums, once per executable, and the C dump then equals its output.
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bpftoolEnumModes } from '../../../src/core/btf/bpftool-dialect';
import { BtfBuilder } from '../../../src/core/btf/builder';
import { dumpC } from '../../../src/core/btf/c-dump';
import { readBtfFile } from '../../../src/core/btf/load';
import { ToolError } from '../../../src/core/util/errors';
import { main } from '../../../src/cli/main';
import { requirePrereq } from '../../helpers/prereq';
import { BPFTOOL, haveBpftool, haveVmlinux, run, VMLINUX } from './fixtures';

/** A shell script posing as bpftool: its C dump of any file is one enum, with or without mode(byte). */
function fakeBpftool(dir: string, modes: boolean, log: string): string {
  const file = path.join(dir, 'bpftool');
  writeFileSync(file, ['#!/bin/sh', `echo "$*" >> '${log}'`,
    `printf 'enum xdp_meta_probe_u8 {\\n\\tXDP_META_PROBE_A = 1,\\n}${modes ? ' __attribute__((mode(byte)))' : ''};\\n'`].join('\n'));
  chmodSync(file, 0o755);
  return file;
}

describe('core/btf/bpftool-dialect', () => {
  let dir: string;
  const saved = process.env.XDP_META_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bpftool-dialect-'));
    process.env.XDP_META_CACHE_DIR = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDP_META_CACHE_DIR;
    else process.env.XDP_META_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops the enum mode attributes only when asked', () => {
    const b = new BtfBuilder();
    b.enum('small', 1, [{ name: 'S_A', value: 1 }]);
    b.enum('wide', 8, [{ name: 'W_A', value: 1 }]);
    const btf = b.build();
    const withModes = dumpC(btf, { header: false });
    assert.match(withModes, /enum small \{\n\tS_A = 1,\n\} __attribute__\(\(mode\(byte\)\)\);/);
    assert.match(withModes, /enum wide \{\n\tW_A = 1,\n\} __attribute__\(\(mode\(word\)\)\);/);
    assert.equal(dumpC(btf, { header: false, enumModes: false }), withModes.replace(/ __attribute__\(\(mode\((byte|word)\)\)\)/g, ''));
  });

  it('asks a bpftool once, until the executable changes', async () => {
    const log = path.join(dir, 'calls.log');
    const calls = (): number => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').length : 0);
    fakeBpftool(dir, false, log);
    assert.equal(await bpftoolEnumModes('bpftool', dir), false);
    assert.equal(await bpftoolEnumModes('bpftool', dir), false);
    assert.equal(calls(), 1);
    assert.match(readFileSync(log, 'utf8'), /^btf dump file \S+ format c$/m);
    fakeBpftool(dir, true, log); // an upgrade in place
    assert.equal(await bpftoolEnumModes('bpftool', dir), true);
    assert.equal(calls(), 2);
  });

  it('names a missing or broken bpftool', async () => {
    await assert.rejects(bpftoolEnumModes('bpftool', dir), (e: unknown) => e instanceof ToolError && /bpftool: not found on PATH/.test(e.message));
    const broken = path.join(dir, 'bpftool');
    writeFileSync(broken, '#!/bin/sh\necho "Error: bad" >&2\nexit 255\n');
    chmodSync(broken, 0o755);
    await assert.rejects(bpftoolEnumModes('bpftool', dir), /format c` of a one-enum BTF failed: Error: bad/);
  });

  it('refuses --like-bpftool outside --format c', async () => {
    const saved2 = process.stderr.write;
    let text = '';
    process.stderr.write = ((s: string) => { text += s; return true; }) as typeof process.stderr.write;
    try {
      assert.equal(await main(['btf', VMLINUX, '--like-bpftool']), 2);
    } finally {
      process.stderr.write = saved2;
    }
    assert.match(text, /--like-bpftool applies to --format c only/);
  });

  it('prints byte for byte what this machine\'s bpftool prints for vmlinux', async function () {
    requirePrereq(this, haveBpftool, 'bpftool');
    requirePrereq(this, haveVmlinux, VMLINUX);
    this.timeout(300_000);
    const enumModes = await bpftoolEnumModes(BPFTOOL);
    const ours = dumpC(readBtfFile(VMLINUX), { enumModes });
    const theirs = run(BPFTOOL, ['btf', 'dump', 'file', VMLINUX, 'format', 'c']);
    assert.equal(ours.length, theirs.length);
    assert.ok(ours === theirs, 'the C dumps differ');
  });
});
