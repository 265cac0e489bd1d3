import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import type { EnvCheck } from '../../src/core/compile/environment';
import { hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';

describe('cli/doctor', () => {
  it('finds clang-19 and the kernel BTF on this machine', async function () {
    requirePrereq(this, hasClang() && existsSync('/sys/kernel/btf/vmlinux'), 'clang-19 and kernel BTF');
    const r = await runCli(['doctor']);
    assert.match(r.out, /^ok\s+clang\s+\S*clang\S* \(19\.\d+\.\d+, bpf target\)$/m);
    assert.match(r.out, /^ok\s+kernel BTF\s+\/sys\/kernel\/btf\/vmlinux \(\d+\.\d MB\)/m);
    for (const title of ['bpftool', 'bpffs', 'privileges', 'libbpf headers']) {
      assert.match(r.out, new RegExp(`^(ok|warning|missing)\\s+${title}\\s`, 'm'));
    }
    assert.match(r.out, /\d+ ok, \d+ warnings?, \d+ missing/);
  });

  it('prints the checks as JSON with --json', async () => {
    const r = await runCli(['doctor', '--json']);
    const checks = JSON.parse(r.out) as EnvCheck[];
    assert.deepEqual(checks.map((c) => c.id), ['clang', 'bpftool', 'kernel-btf', 'bpffs', 'privileges', 'libbpf-headers', 'uapi-headers']);
    assert.equal(r.code, checks.some((c) => c.status === 'missing') ? 1 : 0);
  });

  it('reports a missing configured clang with what to do, exit 1', async () => {
    const r = await runCli(['doctor', '--clang', '/nonexistent']);
    assert.equal(r.code, 1);
    assert.match(r.out, /^missing\s+clang\s+no usable clang/m);
    assert.match(r.out, /fix: apt-get install clang-19/);
  });

  it('rejects unknown arguments', async () => {
    assert.equal((await runCli(['doctor', '--bogus'])).code, 2);
  });
});
