// arm64 Images (synthetic: the booting.rst header, a banner, a real .BTF blob): BTF and release, gzip'd, and bad images.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { btfOfVmlinux, kernelFromFile } from '../../../src/core/kernels';
import { arm64Image, arm64ImageRelease, btfOfArm64Image, isArm64Image } from '../../../src/core/kernels/arm64-image';
import { FormatError } from '../../../src/core/util/errors';

/** A 64-byte Image header ("ARM\x64" at 56), filler, the banner, filler, then `btf` and a tail, as the linker lays them out. */
function image(btf: Uint8Array | undefined, banner = 'Linux version 6.99.0-1-arm64 (nobody@nowhere) (gcc) #1 SMP'): Buffer {
  const head = Buffer.alloc(64);
  head.write('ARM\x64', 56, 'latin1');
  // A decoy BTF magic with a bad header: must not be taken.
  const decoy = Buffer.from([0x9f, 0xeb, 0x01, 0x00, 24, 0, 0, 0, 0xff, 0xff, 0, 0]);
  return Buffer.concat([head, Buffer.alloc(1000, 0x9f), decoy, Buffer.from(`${banner}\n\0`, 'latin1'), Buffer.alloc(333), btf ?? Buffer.alloc(0), Buffer.alloc(4096, 0x9f)]);
}

describe('kernels: arm64 Image', function () {
  this.timeout(60_000);
  let btf: Uint8Array;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19 (builds the .BTF inside the synthetic images)');
    const elf = readFileSync(buildBpfObject('matrix/meta_ok.bpf.c', { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] }));
    btf = btfOfVmlinux(elf, 'meta_ok.o');
  });

  it('finds the BTF blob and the release in a raw Image', () => {
    const img = image(btf);
    assert.ok(isArm64Image(img));
    assert.deepEqual(Buffer.from(btfOfArm64Image(img, 'Image')), Buffer.from(btf));
    assert.equal(arm64ImageRelease(img), '6.99.0-1-arm64');
  });

  it('unpacks a gzip\'d Image (Image.gz); other gzip data is not an Image', () => {
    const raw = image(btf);
    assert.deepEqual(Buffer.from(arm64Image(gzipSync(raw), 'Image.gz')!), raw);
    assert.equal(arm64Image(gzipSync(Buffer.from('hello')), 'x.gz'), undefined);
    assert.equal(arm64Image(Buffer.alloc(4096), 'zeros'), undefined);
  });

  it('names the file when the Image carries no BTF', () => {
    assert.throws(() => btfOfArm64Image(image(undefined), 'nobtf.Image'), (e: unknown) =>
      e instanceof FormatError && /^nobtf\.Image: at byte offset 0 .*no BTF header found; was it built with CONFIG_DEBUG_INFO_BTF/.test(e.message));
  });

  it('--kernel FILE: an arm64 Image is a bootable aarch64 kernel', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-arm64-'));
    const cache = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = path.join(dir, 'cache');
    try {
      const file = path.join(dir, 'vmlinuz-6.99.0-1-arm64');
      writeFileSync(file, image(btf));
      const k = kernelFromFile(file);
      assert.deepEqual({ ...k, btfPath: undefined }, { id: file, release: '6.99.0-1-arm64', source: 'vmlinuz', btfPath: undefined, vmlinuz: file, modules: [], arch: 'aarch64' });
      assert.deepEqual(readFileSync(k.btfPath), Buffer.from(btf));
    } finally {
      if (cache === undefined) delete process.env.XDG_CACHE_HOME; else process.env.XDG_CACHE_HOME = cache;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
