// Real Debian kernel packages: download by name into the cache, vmlinuz payload (lz4 for 6.1, zstd for 6.12), BTF, modules.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { readBtfFile } from '../../../src/core/btf/load';
import { parseElf } from '../../../src/core/elf/reader';
import { findPayload, resolveKernel } from '../../../src/core/kernels';
import { debianKernels } from '../../helpers/kernels';
import { requirePrereq } from '../../helpers/prereq';

describe('kernels: Debian packages', function () {
  this.timeout(300_000);
  const { k61, k612 } = debianKernels();

  it('6.1 and 6.12: release, payload, BTF with (6.12) and without (6.1) the XDP metadata kfuncs, veth module', function () {
    requirePrereq(this, !!k61 && !!k612, "Debian 6.1 and 6.12 cloud kernels in apt (apt-cache search --names-only '^linux-image-')");
    const expected: Array<[string, RegExp, string, boolean]> = [[k61!, /^6\.1\.0-\d+-cloud-amd64$/, 'lz4', false], [k612!, /^6\.12\.\d+\+deb12-cloud-amd64$/, 'zstd', true]];
    for (const [pkg, release, compression, kfuncs] of expected) {
      const k = resolveKernel(pkg);
      assert.equal(k.source, 'package');
      assert.match(k.release, release);
      assert.equal(findPayload(readFileSync(k.vmlinuz!), pkg).compression, compression);
      const btf = readBtfFile(k.btfPath);
      assert.ok(btf.findByName('xdp_md', 'STRUCT') !== undefined, `${pkg}: struct xdp_md in its BTF`);
      for (const f of ['bpf_xdp_metadata_rx_hash', 'bpf_xdp_metadata_rx_timestamp']) {
        assert.equal(btf.findByName(f, 'FUNC') !== undefined, kfuncs, `${pkg}: ${f} ${kfuncs ? 'present' : 'absent'}`);
      }
      const veth = k.modules?.find((m) => m.name === 'veth');
      assert.ok(veth, `${pkg}: veth module`);
      assert.ok(parseElf(readFileSync(veth.path), veth.path).sectionByName('.modinfo'), 'a plain (decompressed) module');
    }
  });

  it('a second resolve comes from the cache', function () {
    requirePrereq(this, !!k612, 'a Debian 6.12 cloud kernel in apt');
    const t = Date.now();
    resolveKernel(k612!);
    assert.ok(Date.now() - t < 2000, `cached resolve took ${Date.now() - t} ms`);
  });

  it('a package that does not exist is a clear error naming it', function () {
    requirePrereq(this, !!k612, 'apt with Debian kernels');
    assert.throws(() => resolveKernel('linux-image-0.0.0-nope-cloud-amd64'),
      /^XdpMetaError: kernel linux-image-0\.0\.0-nope-cloud-amd64: no such Debian package \(list them with: apt-cache search/);
  });

  it('a name that is neither a file nor a package name', () => {
    assert.throws(() => resolveKernel('Not A Kernel'), /kernel Not A Kernel: not a Debian package name, the word running, or an existing file/);
  });
});
