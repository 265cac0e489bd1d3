// meta-bounds agrees with the kernel's verifier: every fixture is loaded here (bpftool prog loadall) and the verdicts compared.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { runCheck } from '../../../src/core/check';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { isRoot, requirePrereq } from '../../helpers/prereq';
import { requireBpffs } from '../../helpers/bpffs';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { fixture, kernelA } from './fixtures';
import { agentAvailable, AgentLoader } from '../../../src/core/verifier/agent-loader';
import { createVethNs, type VethNs } from '../../helpers/netns';

const PIN_ROOT = `/sys/fs/bpf/check_verifier_${process.pid}`;
const ASM = multiarchIncludeDir();

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The kernel's verdict: true when it accepts every program of the object. Pins are removed at once. */
function kernelAccepts(obj: string, name: string, type?: string): { ok: boolean; log: string } {
  const pin = path.join(PIN_ROOT, name);
  // A section libbpf does not know loads with the type given, as iproute2 does (`ip link ... xdp obj F sec xdp_mark`).
  const r = spawnSync('bpftool', ['prog', 'loadall', obj, pin, ...(type ? ['type', type] : [])], { encoding: 'utf8' });
  rmSync(pin, { recursive: true, force: true });
  return { ok: r.status === 0, log: `${r.stdout}${r.stderr}` };
}

// Fixtures the kernel can judge on bounds alone: no kfuncs (device-bound), no CO-RE against absent types.
const C_FIXTURES = [
  'meta_bounds_none', 'meta_bounds_short', 'meta_bounds_ok', 'meta_bounds_path', 'tc_bounds_short', 'tc_bounds_ok',
  'layout_producer', 'layout_consumer_same', 'layout_consumer_diff', 'trailer_fire', 'trailer_clean',
  'core_unresolved_clean', 'meta_not_core_fire', 'meta_not_core_cast',
];
const CORNER_CASES = 11;
// test/fixtures/check/real_patterns.bpf.c: patterns of real programs, BAD/OK pairs (21..24 call metadata kfuncs:
// device-bound only, judged below through the agent). Sections libbpf does not know get the type iproute2 would give.
const REAL_PATTERNS = 20;
const PATTERN_TYPE: Record<number, string> = { 7: 'xdp', 8: 'xdp', 9: 'classifier', 10: 'classifier', 11: 'xdp', 12: 'xdp' };
const TC_TEMPLATE = path.resolve(__dirname, '../../../bpf-templates/tc-meta-magic/tc_meta_magic.bpf.c');

describe('meta-bounds agrees with the kernel verifier', function () {
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, isRoot, 'root (to load BPF programs)');
    requirePrereq(this, hasBpftool(), 'bpftool');
    requireBpffs(this);
    mkdirSync(PIN_ROOT);
  });
  after(() => rmSync(PIN_ROOT, { recursive: true, force: true }));

  const cases: { name: string; obj: () => string; type?: string }[] = [
    ...C_FIXTURES.map((name) => ({ name, obj: () => fixture(name) })),
    ...Array.from({ length: CORNER_CASES }, (_, i) => ({
      name: `bounds_corner case ${i + 1}`,
      obj: () => buildBpfObject('check/bounds_corner.bpf.c', { args: [...(ASM ? ['-idirafter', ASM] : []), `-DCASE=${i + 1}`] }),
    })),
    ...Array.from({ length: REAL_PATTERNS }, (_, i) => ({
      name: `real_patterns case ${i + 1}`, obj: () => fixture('real_patterns', [`-DCASE=${i + 1}`]), type: PATTERN_TYPE[i + 1],
    })),
    // A real producer/consumer template that loads without device binding.
    ...(existsSync(TC_TEMPLATE) ? [{ name: 'template tc-meta-magic', obj: () => buildBpfObject(TC_TEMPLATE, { args: ASM ? ['-idirafter', ASM] : [] }) }] : []),
  ];
  for (const c of cases) {
    it(c.name, () => {
      const obj = c.obj();
      const kernel = kernelAccepts(obj, c.name.replace(/\W+/g, '_'), c.type);
      const ours = runCheck([{ objectPath: obj }], { targetBtf: kernelA() }).diagnostics.filter((d) => d.code === 'meta-bounds');
      assert.equal(ours.length === 0, kernel.ok,
        `kernel ${kernel.ok ? 'accepts' : 'rejects'}, we report ${ours.length} meta-bounds:\n${ours.map((d) => d.message).join('\n')}\n--- verifier:\n${kernel.log.split('\n').slice(-8).join('\n')}`);
    });
  }
});

// The metadata-kfunc patterns (real_patterns 21..24: the metadata selftest's `ts = -1; rx_timestamp(ctx, &ts);
// if (ts == 0)` and a kfunc writing through a metadata pointer) only load device-bound: the agent binds them
// to a veth of a namespace made here.
describe('meta-bounds agrees with the kernel verifier on device-bound programs (metadata kfuncs)', function () {
  let net: VethNs | undefined;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, isRoot, 'root (to load BPF programs and make a veth)');
    requirePrereq(this, agentAvailable(), 'the xdp-meta agent (make -C agent)');
    net = createVethNs();
  });
  after(() => net?.destroy());

  for (const n of [21, 22, 23, 24]) {
    it(`real_patterns case ${n}`, async () => {
      const obj = fixture('real_patterns', [`-DCASE=${n}`]);
      const r = await new AgentLoader().load(obj, { logLevel: 1, dev: net!.hostIf });
      const log = r.logs.map((l) => l.log).join('\n');
      assert.ok(r.ok || /invalid access to packet|outside of the packet/.test(log), `a bounds verdict, not another failure: ${r.failure}\n${log.split('\n').slice(-6).join('\n')}`);
      const ours = runCheck([{ objectPath: obj }], { targetBtf: kernelA() }).diagnostics.filter((d) => d.code === 'meta-bounds');
      assert.equal(ours.length === 0, r.ok, `kernel ${r.ok ? 'accepts' : 'rejects'}, we report ${ours.length} meta-bounds:\n${ours.map((d) => d.message).join('\n')}\n--- verifier:\n${log.split('\n').slice(-8).join('\n')}`);
    });
  }
});
