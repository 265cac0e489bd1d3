// arm64 for real (XDP_META_ARM64=0 skips it): Debian arm64 kernels boot under qemu-system-aarch64 (TCG) and the aarch64 agent loads.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { resolveKernel } from '../../../src/core/kernels';
import type { MatrixReport } from '../../../src/core/matrix';
import { hasClang } from '../../helpers/clang';
import { arm64VmPrereqMissing, debianKernels } from '../../helpers/kernels';
import { requirePrereq } from '../../helpers/prereq';
import { runCli } from '../../helpers/run-cli';

const FIX = path.resolve(__dirname, '../../fixtures/matrix');

describe('vm: arm64 guests (qemu-system-aarch64, the aarch64 agent)', function () {
  this.timeout(300_000);
  const { k61arm64, k612arm64 } = debianKernels();

  before(function () {
    // On by default so the aarch64 agent keeps running somewhere; a machine without the arm64 apt setup opts out.
    // With CI=true it always runs (CI must not skip); the opt-out is for a developer's machine.
    if (process.env.XDP_META_ARM64 === '0' && process.env.CI !== 'true') {
      console.log('      skipped: XDP_META_ARM64=0');
      this.skip();
    }
    const missing = arm64VmPrereqMissing();
    requirePrereq(this, !missing, missing ?? '');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, !!k61arm64 && !!k612arm64, 'Debian 6.1 and 6.12 cloud-arm64 kernel packages in apt');
  });

  it('a package resolves to an arm64 Image with its BTF and release, and modules for virtio-mmio', function () {
    const k = resolveKernel(k61arm64!);
    assert.equal(k.arch, 'aarch64');
    assert.equal(k.source, 'package');
    assert.match(k.release, /^6\.1\.0-\d+-cloud-arm64$/);
    assert.ok(k.vmlinuz && existsSync(k.vmlinuz));
    assert.deepEqual(k.modules!.map((m) => m.name).filter((n) => ['veth', 'virtio_mmio', 'virtio_console'].includes(n)), ['veth', 'virtio_mmio', 'virtio_console']);
  });

  it('xdp-meta matrix --kernel <arm64 package>: each arm64 kernel\'s verifier judges, device-bound kfuncs on 6.12', async () => {
    const inputs = ['meta_ok.bpf.c', 'rx_hash_meta.bpf.c'].map((f) => path.join(FIX, f));
    const r = await runCli(['matrix', ...inputs, '-k', k61arm64!, '-k', k612arm64!, '--json', '--no-cache']);
    const m = JSON.parse(r.out) as MatrixReport;
    assert.deepEqual(m.kernels.map((k) => [k.id, k.source]), [[k61arm64, 'package'], [k612arm64, 'package']]);
    const cell = (kernel: string, program: string): MatrixReport['results'][number]['load'] => {
      const c = m.results.find((x) => x.kernel === kernel && x.program === program);
      assert.ok(c, `a cell for ${program} on ${kernel}`);
      return c.load;
    };
    for (const k of [k61arm64!, k612arm64!]) {
      const ok = cell(k, 'meta_ok');
      assert.equal(ok.verdict, 'accepted', `${k}: ${JSON.stringify(ok)}\n${r.err}`);
      assert.equal(ok.processed_insns, 19);
    }
    // 6.1 has no XDP metadata kfuncs; 6.12 accepts the device-bound load on the guest's veth.
    assert.equal(cell(k61arm64!, 'rx_hash_meta').verdict, 'rejected');
    assert.equal(cell(k612arm64!, 'rx_hash_meta').verdict, 'accepted', r.err);
    assert.equal(r.code, 1, r.err);
  });
});
