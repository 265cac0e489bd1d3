import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requireBpffs } from '../../helpers/bpffs';
import { isRoot, requirePrereq } from '../../helpers/prereq';
import { fileTarget, kernelTarget, loadCoreObject, relocateObject } from '../../../src/core/core-relo';
import type { CoreTarget } from '../../../src/core/core-relo';
import { bpftoolLog, buildOracle, canBuildOracle, hasBpftool, oracleLog } from './oracle';

const KERNEL_BTF = '/sys/kernel/btf/vmlinux';
const inc = ['-I', `${__dirname}/../../fixtures/core-relo`];

/** Our log lines, in libbpf's words, for the relocations libbpf would perform (it stops at the first failure). */
function ourLog(obj: string, target: CoreTarget, program?: string): string[] {
  const results = relocateObject(loadCoreObject(obj), target, { programs: program ? [program] : undefined, keepGoing: false });
  return results.flatMap((r) => r.log);
}

describe('core/core-relo agrees with libbpf', function () {
  let oracle: string;
  let xdpCore: string;
  let ambig: string;
  let altTarget: string;
  let ambigTarget: string;
  let flavors: string;
  let flavorsTarget: string;

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, canBuildOracle(), 'gcc and libbpf-dev');
    requirePrereq(this, isRoot, 'root (libbpf probes the kernel before relocating)');
    requirePrereq(this, existsSync(KERNEL_BTF), KERNEL_BTF);
    oracle = buildOracle();
    xdpCore = buildBpfObject('core-relo/xdp-core.c', { args: inc });
    ambig = buildBpfObject('core-relo/ambig.c', { args: inc });
    altTarget = buildBpfObject('core-relo/target-alt.c');
    ambigTarget = buildBpfObject('core-relo/ambig-target.c');
    flavors = buildBpfObject('core-relo/flavors.c', { args: inc });
    flavorsTarget = buildBpfObject('core-relo/flavors-target.c');
  });

  it('against the running kernel (libbpf oracle)', () => {
    const want = oracleLog(oracle, xdpCore);
    assert.ok(want.length > 100, `libbpf printed ${want.length} relocation lines`);
    assert.deepEqual(ourLog(xdpCore, kernelTarget()), want);
  });

  it('against the running kernel (bpftool -d prog load)', function () {
    requirePrereq(this, hasBpftool(), 'bpftool');
    requireBpffs(this);
    const want = bpftoolLog(xdpCore);
    assert.ok(want.length > 100, `bpftool printed ${want.length} relocation lines`);
    assert.deepEqual(ourLog(xdpCore, kernelTarget()), want);
  });

  it('"local" is the value in the instruction, as libbpf prints it (bitfields: clang\'s load width, not the spec\'s)', () => {
    const patched = /^prog '([^']*)': relo #(\d+): patched insn #\d+ \([^)]*\) (?:off|imm|imm64) (-?\d+) -> /;
    const want = new Map<string, bigint>();
    for (const l of oracleLog(oracle, xdpCore)) {
      const m = patched.exec(l);
      if (m) want.set(`${m[1]}#${m[2]}`, BigInt(m[3]!));
    }
    const ours = relocateObject(loadCoreObject(xdpCore), kernelTarget());
    const bits = ours.filter((r) => r.program === 'xdp_bits' && r.kind !== 'FIELD_SIGNED');
    assert.ok(bits.some((r) => want.get(`xdp_bits#${r.reloIdx}`) !== undefined && r.local !== r.target), 'bitfield relocations change values');
    let compared = 0;
    for (const r of ours) {
      const w = want.get(`${r.program}#${r.reloIdx}`);
      if (w === undefined) continue;
      assert.equal(r.local, w, `${r.program} relo #${r.reloIdx} (${r.kind} ${r.access})`);
      compared++;
    }
    assert.ok(compared > 30, `${compared} relocations compared`);
  });

  it('against a target BTF built from C with other layouts of the same structs', () => {
    const want = oracleLog(oracle, xdpCore, altTarget);
    assert.ok(want.some((l) => /patched insn #\d+ \(LDX\/ST\/STX\) off 8 -> 4/.test(l)), 'the layout really differs');
    assert.ok(want.some((l) => /substituting insn/.test(l)), 'some relocations are poisoned');
    assert.deepEqual(ourLog(xdpCore, fileTarget(altTarget)), want);
  });

  it('the same relocation decision ambiguity error', () => {
    const want = oracleLog(oracle, ambig, ambigTarget, 'xdp_size_ambiguous');
    assert.ok(want.some((l) => /relocation decision ambiguity/.test(l)));
    assert.deepEqual(ourLog(ambig, fileTarget(ambigTarget), 'xdp_size_ambiguous'), want);
  });

  it('the same field offset ambiguity error', () => {
    const want = oracleLog(oracle, ambig, ambigTarget, 'xdp_offset_ambiguous');
    assert.ok(want.some((l) => /field offset ambiguity: 0 != 32/.test(l)));
    assert.deepEqual(ourLog(ambig, fileTarget(ambigTarget), 'xdp_offset_ambiguous'), want);
  });

  it('the same refusal of an anonymous root type', () => {
    const want = oracleLog(oracle, ambig, ambigTarget, 'xdp_anon');
    assert.ok(want.some((l) => /target candidate search failed for \[\d+\] struct : -22/.test(l)));
    assert.deepEqual(ourLog(ambig, fileTarget(ambigTarget), 'xdp_anon'), want);
  });

  it('flavors: pruned candidate lists, agreeing flavors, root index, flexible/2-D arrays, typedef/union roots, TYPE_MATCHES', () => {
    const want = oracleLog(oracle, flavors, flavorsTarget);
    assert.ok(want.some((l) => /relo #2: matching candidate #0 .*rec___a\.both/.test(l)) && !want.some((l) => /relo #2: .*rec___b/.test(l)),
      'libbpf pruned rec___b after relo #1');
    assert.ok(want.some((l) => /relocation decision ambiguity: success 18 != success 14/.test(l)));
    assert.deepEqual(ourLog(flavors, fileTarget(flavorsTarget)), want);
  });

  it('flavors against the running kernel (nothing matches: poison, zeros)', () => {
    assert.deepEqual(ourLog(flavors, kernelTarget()), oracleLog(oracle, flavors));
  });

  it('each program alone, against both targets (candidate cache not shared across programs)', () => {
    for (const prog of ['xdp_fields', 'xdp_checks', 'xdp_bits', 'xdp_sizes', 'parse_ip']) {
      for (const [target, t] of [[undefined, kernelTarget()], [altTarget, fileTarget(altTarget)]] as const) {
        assert.deepEqual(ourLog(xdpCore, t, prog), oracleLog(oracle, xdpCore, target, prog), `${prog} vs ${target ?? 'kernel'}`);
      }
    }
  });
});
