// `xdp-meta matrix` bad input, no VM needed: each a clear error naming the kernel or file, exit 1 (2 for usage).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli';

const FIX = path.resolve(__dirname, '../fixtures/matrix');

function bzImage(payload: Buffer): Buffer {
  const setup = Buffer.alloc(1024);
  setup[0x1f1] = 1;
  setup.writeUInt16LE(0xaa55, 0x1fe);
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(0x020f, 0x206);
  setup.writeUInt32LE(0, 0x248);
  setup.writeUInt32LE(payload.length + 4, 0x24c);
  return Buffer.concat([setup, payload, Buffer.alloc(4)]);
}

describe('cli: xdp-meta matrix bad input', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-matrix-bad-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('usage: no INPUT, no --kernel', async () => {
    let r = await runCli(['matrix', '-k', 'running']);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing INPUT/);
    r = await runCli(['matrix', path.join(FIX, 'meta_ok.bpf.c')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /missing --kernel K/);
  });

  it('a vmlinuz whose payload we cannot find names the file and the offset', async () => {
    const f = path.join(dir, 'garbage.vmlinuz');
    writeFileSync(f, bzImage(Buffer.from('this is not a compressed kernel')));
    const r = await runCli(['matrix', path.join(FIX, 'meta_ok.bpf.c'), '-k', f, '--static-only']);
    assert.equal(r.code, 1);
    assert.match(r.err, new RegExp(`^xdp-meta matrix: error: kernel ${f.replace(/[.]/g, '\\.')} \\(${f.replace(/[.]/g, '\\.')}\\): at byte offset 1024 \\(0x400\\): a compressed vmlinux .* found 74 68 69 73`));
    assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  });

  it('a kernel without BTF says so, naming the kernel', async () => {
    const f = path.join(dir, 'nobtf.vmlinuz');
    writeFileSync(f, bzImage(gzipSync(readFileSync('/bin/true'))));
    const r = await runCli(['matrix', path.join(FIX, 'meta_ok.bpf.c'), '-k', f, '--static-only']);
    assert.equal(r.code, 1);
    assert.match(r.err, /kernel .*nobtf\.vmlinuz: the kernel has no BTF \(no \.BTF section in its vmlinux; it was built without CONFIG_DEBUG_INFO_BTF\)/);
  });

  it('a kernel that is a directory, or a file of no known kind', async () => {
    let r = await runCli(['matrix', path.join(FIX, 'meta_ok.bpf.c'), '-k', dir, '--static-only']);
    assert.equal(r.code, 1);
    assert.match(r.err, /is a directory, not a kernel \(vmlinuz, vmlinux or raw BTF\)/);
    const f = path.join(dir, 'notes.txt');
    writeFileSync(f, 'hello');
    r = await runCli(['matrix', path.join(FIX, 'meta_ok.bpf.c'), '-k', f, '--static-only']);
    assert.equal(r.code, 1);
    assert.match(r.err, /kernel .*notes\.txt: not a bzImage \(vmlinuz\), an ELF vmlinux or raw BTF/);
  });

  it('an input that is not a program', async () => {
    const f = path.join(dir, 'x.txt');
    writeFileSync(f, 'nope');
    const r = await runCli(['matrix', f, '-k', 'running', '--static-only']);
    assert.equal(r.code, 1);
    assert.match(r.err, /x\.txt: neither a BPF object \(ELF\) nor a C source/);
  });
});
