// Who refused a load: libbpf before the kernel, the kernel creating a map, or the kernel's verifier; the log only when there is one.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync, statfsSync } from 'node:fs';
import * as path from 'node:path';
import { AgentLoader, agentAvailable } from '../../../src/core/verifier/agent-loader';
import { BpftoolLoader } from '../../../src/core/verifier/bpftool-loader';
import { attributeLoadFailure, errnoName, hasKernelLog } from '../../../src/core/verifier/load-failure';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { isRoot, requirePrereq } from '../../helpers/prereq';
import { runCli } from '../../helpers/run-cli';

function archInclude(): string {
  try {
    return `/usr/include/${execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim() || 'x86_64-linux-gnu'}`;
  } catch {
    return '/usr/include/x86_64-linux-gnu';
  }
}

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('core/verifier/load-failure', () => {
  it('errno names from numbers and libbpf texts', () => {
    assert.equal(errnoName(-1), 'EPERM');
    assert.equal(errnoName('-22'), 'EINVAL');
    assert.equal(errnoName('Invalid argument(-22)'), 'EINVAL');
    assert.equal(errnoName('Permission denied'), 'EACCES');
    assert.equal(errnoName('Operation not permitted'), 'EPERM');
    assert.equal(hasKernelLog('\n\n'), false);
    assert.equal(hasKernelLog('processed 2 insns\n'), true);
  });

  it('EPERM from the kernel without a log stays in the message', () => {
    const r = attributeLoadFailure("libbpf: prog 'x': BPF program load failed: Operation not permitted\nlibbpf: prog 'x': failed to load: -1\n", '');
    assert.equal(r.by, 'kernel');
    assert.equal(r.errno, 'EPERM');
    assert.equal(r.kernelLog, false);
    assert.match(r.message, /the kernel refused program 'x' \(Operation not permitted, EPERM\) without a verifier log/);
  });

  describe('real loads with bpftool (root)', function () {
    this.timeout(300_000);
    const obj = (name: string, dir = 'verifier/load-failures'): string => buildBpfObject(path.join(dir, `${name}.bpf.c`), { args: [`-I${archInclude()}`] });

    before(function () {
      requirePrereq(this, isRoot, 'root (loading BPF programs)');
      requirePrereq(this, hasClang(), 'clang-19');
      requirePrereq(this, hasBpftool(), 'bpftool');
      if (Number(statfsSync('/sys/fs/bpf').type) !== 0xcafe4a11) execFileSync('mount', ['-t', 'bpf', 'bpf', '/sys/fs/bpf']);
    });

    after(() => {
      for (const e of readdirSync('/sys/fs/bpf')) assert.ok(!e.startsWith(`xdp_meta_verifier_${process.pid}_`), `left pinned: ${e}`);
    });

    const cases: [string, 'libbpf' | 'kernel', string, RegExp][] = [
      ['lf_section', 'libbpf', 'section', /section 'xdp_mark' names no program type libbpf knows/],
      ['lf_map', 'kernel', 'map', /the kernel refused to create map 'lf_counts' \(Invalid argument\(-22\), EINVAL\)/],
      ['lf_target', 'libbpf', 'attach-target', /attach target 'xdp_meta_no_such_function' is not a function in the kernel's BTF/],
      ['lf_freplace', 'libbpf', 'extension', /freplace \(BPF_PROG_TYPE_EXT\)/],
    ];
    for (const [name, by, stage, msg] of cases) {
      it(`${name}: ${by} refused (${stage}), no log claimed`, async () => {
        const res = await new BpftoolLoader().load(obj(name), { logLevel: 1 });
        assert.equal(res.ok, false);
        assert.equal(res.refusal?.by, by, res.failure);
        assert.equal(res.refusal?.stage, stage);
        assert.deepEqual(res.logs, []);
        assert.match(res.failure!, msg);
        assert.doesNotMatch(res.failure!, /kernel rejected/);
      });
    }

    it('the agent says the same: who refused, no log claimed, the kernel only when it was the kernel', async function () {
      requirePrereq(this, agentAvailable(), 'the xdp-meta agent (make -C agent)');
      for (const [name, by, stage, msg] of cases) {
        const res = await new AgentLoader().load(obj(name), { logLevel: 1 });
        assert.equal(res.ok, false, name);
        assert.equal(res.refusal?.by, by, `${name}: ${res.failure}`);
        assert.equal(res.refusal?.stage, stage, name);
        assert.deepEqual(res.logs, [], name);
        assert.match(res.failure!, msg, name);
        assert.doesNotMatch(res.failure!, /kernel rejected/, name);
      }
      const tc = await new AgentLoader().load(obj('lf_tc'), { logLevel: 1 });
      assert.equal(tc.ok, true, tc.failure);
      const rejected = await new AgentLoader().load(obj('meta_short_check', 'verifier'), { logLevel: 1 });
      assert.match(rejected.failure!, /the kernel rejected program meta_short_check .*EACCES/);
      assert.equal(rejected.logs.length, 1);
    });

    it('xdp-meta load: no verifier log means 0 lines and the refusal, not "the kernel rejected"', async () => {
      const r = await runCli(['load', obj('lf_target'), '--loader', 'bpftool', '--json']);
      assert.equal(r.code, 1, r.err);
      const out = JSON.parse(r.out) as { lines: number; refused_by: string; verifier_log: boolean; error: { message: string }; errno: string };
      assert.equal(out.lines, 0);
      assert.equal(out.refused_by, 'libbpf');
      assert.equal(out.errno, 'ESRCH');
      assert.equal(out.verifier_log, false);
      assert.match(out.error.message, /^libbpf refused program 'lf_target'/);
      const text = await runCli(['load', obj('lf_section'), '--loader', 'bpftool']);
      assert.match(text.out, /no verifier log: the kernel did not verify the program/);
      assert.doesNotMatch(text.out, /REJECTED \(log level/);
    });

    it('a kernel rejection keeps its log and names the verifier and the errno', async () => {
      const res = await new BpftoolLoader().load(obj('meta_short_check', 'verifier'), { logLevel: 1 });
      assert.equal(res.refusal?.by, 'kernel');
      assert.equal(res.refusal?.kernelLog, true);
      assert.equal(res.refusal?.errno, 'EACCES');
      assert.equal(res.logs.length, 1);
      assert.match(res.failure!, /the kernel's verifier rejected program 'meta_short_check'/);
    });

    it('the program type comes from the section: a TC program loads as sched_cls, not XDP', async () => {
      const res = await new BpftoolLoader().load(obj('lf_tc'), { logLevel: 1 });
      assert.equal(res.ok, true, res.failure);
    });
  });
});
