// bzImage payloads of every compressor (synthetic images around a real ELF with .BTF), our LZ4 decoder, and bad images.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { btfOfVmlinux, extractVmlinux, findPayload, lz4LegacyDecode } from '../../../src/core/kernels';
import { FormatError } from '../../../src/core/util/errors';

function tool(cmd: string, args: string[], input: Uint8Array): Buffer {
  return execFileSync(cmd, args, { input, maxBuffer: 1 << 28 });
}

/** A minimal bzImage: boot sector + setup header (protocol 2.15, one setup sector), then the payload and its size. */
function bzImage(payload: Uint8Array, uncompressed: number, version = 'test-6.99.0 (nobody@nowhere) #1'): Buffer {
  const setup = Buffer.alloc(1024);
  setup[0x1f1] = 1; // setup_sects: the protected-mode part starts at 2 * 512
  setup.writeUInt16LE(0xaa55, 0x1fe);
  setup.write('HdrS', 0x202, 'latin1');
  setup.writeUInt16LE(0x020f, 0x206);
  setup.writeUInt16LE(0x300 - 0x200, 0x20e); // kernel_version string at 0x300
  setup.write(`${version}\0`, 0x300, 'latin1');
  const pmHead = Buffer.alloc(64); // the decompressor's code would be here
  setup.writeUInt32LE(pmHead.length, 0x248);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(uncompressed);
  setup.writeUInt32LE(payload.length + 4, 0x24c);
  return Buffer.concat([setup, pmHead, payload, size]);
}

describe('kernels: bzImage payloads', function () {
  this.timeout(60_000);
  let elf: Buffer;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19 (builds the ELF inside the synthetic images)');
    elf = readFileSync(buildBpfObject('matrix/meta_ok.bpf.c', { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] }));
  });

  const compressors: Array<[string, (b: Buffer) => Buffer]> = [
    ['gzip', (b) => gzipSync(b)],
    ['xz', (b) => tool('xz', ['-c', '--check=crc32'], b)],
    ['lzma', (b) => tool('xz', ['-c', '--format=lzma'], b)],
    ['lz4', (b) => tool('lz4', ['-l', '-c', '-q'], b)],
    ['zstd', (b) => tool('zstd', ['-c', '-q'], b)],
  ];
  for (const [name, compress] of compressors) {
    it(`finds and decompresses a ${name} payload to the ELF, and its .BTF`, () => {
      const img = bzImage(compress(elf), elf.length);
      const { vmlinux, payload } = extractVmlinux(img, 'test.vmlinuz');
      assert.equal(payload.compression, name);
      assert.equal(payload.kernelVersion, 'test-6.99.0 (nobody@nowhere) #1');
      assert.deepEqual(Buffer.from(vmlinux), elf);
      assert.ok(btfOfVmlinux(vmlinux, 'test').length > 100);
    });
  }

  it('decodes LZ4 legacy frames with overlapping matches and several blocks like lz4 -l does', () => {
    const parts: string[] = [];
    for (let i = 0; i < 300_000; i++) parts.push(i % 7 === 0 ? 'aaaaaaaaaaaaaaaaaaaaaa' : `x${i % 1000}-`);
    const text = Buffer.from(parts.join(''));
    const big = Buffer.concat([text, text, text, text]); // > 8 MiB: several legacy blocks
    const frame = tool('lz4', ['-l', '-c', '-q'], big);
    assert.deepEqual(Buffer.from(lz4LegacyDecode(frame, 'test.lz4')), big);
  });

  it('names the file and offset when the payload is not a known compressed stream', () => {
    const img = bzImage(Buffer.from('not compressed at all, just text'), 10);
    assert.throws(() => findPayload(img, 'odd.vmlinuz'), (e: unknown) =>
      e instanceof FormatError && /odd\.vmlinuz: at byte offset 1088 .*a compressed vmlinux \(gzip, xz, lzma, lz4, zstd, bzip2, lzo\) at the payload, found 6e 6f 74/.test(e.message));
  });

  it('refuses a file that is not a bzImage, naming it', () => {
    assert.throws(() => extractVmlinux(Buffer.alloc(4096), 'zeros.bin'), /zeros\.bin: at byte offset 514 .*bzImage setup header/);
  });

  it('reports a corrupt zstd stream with the tool\'s reason', () => {
    const z = tool('zstd', ['-c', '-q'], elf);
    z[z.length - 20] ^= 0xff;
    z[40] ^= 0xff;
    assert.throws(() => extractVmlinux(bzImage(z, elf.length), 'bad.vmlinuz'), /bad\.vmlinuz: .*a valid zstd stream/);
  });

  it('says when the kernel has no BTF', () => {
    // An ELF without .BTF (/bin/true) stands in for a kernel built without DEBUG_INFO_BTF.
    const noBtf = readFileSync('/bin/true');
    const img = bzImage(gzipSync(noBtf), noBtf.length);
    const { vmlinux } = extractVmlinux(img, 'nobtf.vmlinuz');
    assert.throws(() => btfOfVmlinux(vmlinux, 'kernel nobtf.vmlinuz'), /kernel nobtf\.vmlinuz: the kernel has no BTF \(no \.BTF section/);
  });
});
