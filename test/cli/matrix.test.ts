// `xdp-meta matrix` for real: four programs × {running, Debian 6.1, Debian 6.12} in QEMU microVMs; cache; bad kernels; killed mid-matrix.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MatrixReport } from '../../src/core/matrix';
import { resolveKernel } from '../../src/core/kernels';
import { MicroVm, VmError } from '../../src/core/vm/qemu';
import { hasClang } from '../helpers/clang';
import { debianKernels, vmPrereqMissing } from '../helpers/kernels';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'test/fixtures/matrix');
const INPUTS = ['meta_ok.bpf.c', 'meta_unchecked.bpf.c', 'rx_hash_meta.bpf.c', 'helper_new.bpf.c'].map((f) => path.join(FIX, f));

function cell(r: MatrixReport, kernel: string, program: string): MatrixReport['results'][number] {
  const c = r.results.find((x) => x.kernel === kernel && x.program === program);
  assert.ok(c, `a cell for ${program} on ${kernel}`);
  return c;
}

/** Process ids whose parent is `pid` (setpriv execs QEMU in place, so QEMU is a direct child of the CLI). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

const alive = (pid: number): boolean => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 50)); // polling /proc: no event tells us a process is gone
  }
}

describe('cli: xdp-meta matrix', function () {
  this.timeout(240_000);
  const { k61, k612 } = debianKernels();

  before(function () {
    const missing = vmPrereqMissing();
    requirePrereq(this, !missing, missing ?? '');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, !!k61 && !!k612, 'Debian 6.1 and 6.12 cloud kernel packages in apt');
    requirePrereq(this, isRoot, 'root (the running kernel loads through the local agent)');
    // Downloads and extracts once (cached under ~/.cache/xdp-meta/kernels).
    resolveKernel(k61!);
    resolveKernel(k612!);
  });

  it('4 programs × running, 6.1, 6.12: each kernel\'s own verifier, JSON shape, exit 1 on a rejection', async () => {
    const r = await runCli(['matrix', ...INPUTS, '-k', 'running', '-k', k61!, '-k', k612!, '--json', '--no-cache']);
    assert.equal(r.code, 1, r.err);
    const m = JSON.parse(r.out) as MatrixReport;
    assert.deepEqual(m.kernels.map((k) => [k.id, k.source]), [['running', 'running'], [k61, 'package'], [k612, 'package']]);
    assert.match(m.kernels[1]!.release, /^6\.1\.0-/);
    assert.equal(m.results.length, 12);
    for (const k of ['running', k61!, k612!]) {
      const ok = cell(m, k, 'meta_ok');
      assert.equal(ok.load.verdict, 'accepted', `${k}: meta_ok ${JSON.stringify(ok.load)}`);
      assert.equal(ok.load.processed_insns, 19);
      assert.ok(ok.load.log_file && existsSync(ok.load.log_file));
      const bad = cell(m, k, 'meta_unchecked');
      assert.equal(bad.load.verdict, 'rejected');
      assert.equal(bad.load.error?.insn, 7);
      assert.match(bad.load.error?.message ?? '', /^invalid access to packet, off=4 size=4/);
      assert.ok(bad.static.diagnostics.some((d) => d.code === 'meta-bounds'));
    }
    // 6.1 prints `; source` without `@ file:line`: the line comes from the object's line info; 6.12's log names it.
    assert.deepEqual([cell(m, k61!, 'meta_unchecked').load.error?.file, cell(m, k61!, 'meta_unchecked').load.error?.line], ['meta_unchecked.bpf.c', 14]);
    assert.equal(cell(m, k612!, 'meta_unchecked').load.error?.line, 14);
    const hash61 = cell(m, k61!, 'rx_hash_meta');
    assert.equal(hash61.load.verdict, 'rejected');
    assert.match(hash61.load.error?.message ?? '', /bpf_xdp_metadata_rx_hash/);
    assert.ok(hash61.static.diagnostics.some((d) => d.code === 'kfunc-missing'), 'kfunc-missing against 6.1');
    const hash612 = cell(m, k612!, 'rx_hash_meta');
    assert.equal(hash612.load.verdict, 'accepted', JSON.stringify(hash612.load));
    assert.equal(hash612.load.dev_bound, true);
    assert.ok(!hash612.static.diagnostics.some((d) => d.code === 'kfunc-missing'));
    // bpf_cgrp_storage_get (6.2): helper-missing on 6.1 only, and 6.12's verifier takes it from an XDP program.
    // 6.1 fails even before its verifier: libbpf cannot create the CGRP_STORAGE map (also 6.2).
    const h61 = cell(m, k61!, 'helper_new');
    assert.equal(h61.load.verdict, 'rejected');
    assert.deepEqual(h61.static.diagnostics.map((d) => d.code), ['helper-missing']);
    for (const k of ['running', k612!]) {
      const h = cell(m, k, 'helper_new');
      assert.equal(h.load.verdict, 'accepted', `${k}: ${JSON.stringify(h.load)}`);
      assert.deepEqual(h.static.diagnostics, []);
    }
  });

  it('a second run comes from the cache (object hash, kernel) without booting', async () => {
    const t = Date.now();
    const r = await runCli(['matrix', ...INPUTS, '-k', k61!, '-k', k612!, '--json']);
    const m = JSON.parse(r.out) as MatrixReport;
    assert.ok(m.results.every((c) => c.load.cached === true));
    assert.ok(Date.now() - t < 20_000, `cached matrix took ${Date.now() - t} ms`);
  });

  it('--static-only and a raw BTF kernel: static findings, loads not run, text output', async () => {
    const btf = resolveKernel(k61!).btfPath;
    const r = await runCli(['matrix', path.join(FIX, 'rx_hash_meta.bpf.c'), '-k', btf, '-k', k612!, '--static-only']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /kfunc-missing: kfunc bpf_xdp_metadata_rx_hash\(\) is not in target BTF/);
    assert.match(r.out, /rx_hash_meta\n {2}\S+vmlinux\.btf: not run/);
  });

  it('a guest that panics: a clear error naming the kernel with the console\'s last lines, no QEMU left', async () => {
    const k = resolveKernel(k61!);
    await assert.rejects(MicroVm.boot(k, { extraAppend: 'rdinit=/no-such-init root=/dev/nonexistent' }), (e: unknown) =>
      e instanceof VmError && e.message.startsWith(`kernel ${k61}: the guest kernel panicked`) && /Kernel panic/.test(e.message) && /last console lines/.test(e.message));
  });

  it('a VM that does not boot in time: the error names the kernel and the timeout, and QEMU is gone', async () => {
    const k = resolveKernel(k612!);
    const before = childrenOf(process.pid);
    await assert.rejects(MicroVm.boot(k, { timeoutMs: 1500 }), new RegExp(`^VmError: kernel ${k612!.replace(/[.+]/g, '\\$&')}: the VM did not boot within 2 s`));
    assert.deepEqual(childrenOf(process.pid).filter((p) => !before.includes(p) && alive(p)), []);
  });

  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    it(`killing the CLI mid-matrix (${sig}) leaves no QEMU and no temp folder`, async () => {
      const tmpBefore = readdirSync(os.tmpdir()).filter((d) => d.startsWith('xdp-meta-matrix-'));
      const cli = spawn(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'matrix', INPUTS[0]!, '-k', k612!, '--no-cache'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      cli.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const exited = new Promise((r) => cli.on('close', r));
      await until('the CLI to start booting', () => err.includes('booting') || cli.exitCode !== null);
      let qemu: number[] = [];
      await until('QEMU to start', () => (qemu = childrenOf(cli.pid!)).length > 0 || cli.exitCode !== null);
      assert.ok(qemu.length > 0, `QEMU started (stderr: ${err})`);
      cli.kill(sig);
      await exited;
      await until('QEMU to die with the CLI', () => qemu.every((p) => !alive(p)));
      // The CLI compiled into a temp folder and removed it before booting: nothing is left, even after SIGKILL.
      const left = readdirSync(os.tmpdir()).filter((d) => d.startsWith('xdp-meta-matrix-') && !tmpBefore.includes(d));
      assert.deepEqual(left, [], 'no temp folder of the killed CLI');
    });
  }
});
