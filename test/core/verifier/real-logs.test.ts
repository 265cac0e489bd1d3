import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agentAvailable, AgentLoader } from '../../../src/core/verifier/agent-loader';
import { BpftoolLoader } from '../../../src/core/verifier/bpftool-loader';
import { explain } from '../../../src/core/verifier/explain';
import type { VerifierLoader } from '../../../src/core/verifier/loader';
import { parseLogText } from '../../../src/core/verifier/read';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requireBpffs } from '../../helpers/bpffs';
import { isRoot, requirePrereq } from '../../helpers/prereq';
import { runCli } from '../../helpers/run-cli';

const FIXTURES = path.resolve(__dirname, '../../fixtures/verifier');
const EXPECTED = JSON.parse(readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Record<string, {
  error: unknown; processed_insns: number | null; total_states: number | null; peak_states: number | null; explanation?: string | null;
}>>;
const VETH = 'xmv6a';
const VETH_PEER = 'xmv6b';

function has(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Debian's libbpf headers include <asm/types.h>, which lives under the multiarch include directory. */
function archInclude(): string {
  try {
    return `/usr/include/${execFileSync('gcc', ['-print-multiarch'], { encoding: 'utf8' }).trim() || 'x86_64-linux-gnu'}`;
  } catch {
    return '/usr/include/x86_64-linux-gnu';
  }
}


describe('core/verifier real loads (root, clang-19, bpftool)', function () {
  this.timeout(300_000);
  const objects = new Map<string, string>();
  const loaders: VerifierLoader[] = [];
  let tmp = '';

  before(function () {
    requirePrereq(this, isRoot, 'root (loading BPF programs)');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, has('bpftool', ['version']), 'bpftool');
    requireBpffs(this);
    tmp = mkdtempSync(path.join(tmpdir(), 'verifier-real-'));
    for (const f of readdirSync(FIXTURES).filter((x) => x.endsWith('.bpf.c') && !x.startsWith('bench_'))) {
      objects.set(f.replace(/\.bpf\.c$/, ''), buildBpfObject(path.join('verifier', f), { args: [`-I${archInclude()}`] }));
    }
    loaders.push(new BpftoolLoader());
    if (agentAvailable()) loaders.push(new AgentLoader());
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    if (has('ip', ['link', 'show', VETH])) execFileSync('ip', ['link', 'del', VETH]);
    // Nothing of ours may stay pinned.
    for (const e of readdirSync('/sys/fs/bpf')) assert.ok(!e.startsWith('xdp_meta_verifier_'), `left pinned: ${e}`);
  });

  it('every fixture has an expected summary', () => {
    assert.deepEqual([...objects.keys()].sort(), Object.keys(EXPECTED).sort());
  });

  for (const level of [1, 2] as const) {
    it(`loads every fixture at level ${level}: expected summary, every line classified, explanation`, async () => {
      for (const loader of loaders) {
        for (const [name, obj] of objects) {
          const res = await loader.load(obj, { logLevel: level });
          const exp = EXPECTED[name][`level${level}`];
          const what = `${loader.name} level ${level} ${name}`;
          assert.equal(res.ok, exp.error === null, `${what}: ${res.failure}`);
          const text = res.logs[0]?.log ?? '';
          // bpftool asks for no log at level 1 when the load succeeds.
          if (!text) {
            assert.ok(res.ok && level === 1 && loader.name === 'bpftool', `${what}: no log`);
            continue;
          }
          const log = parseLogText(text, { level });
          const s = log.summary();
          assert.equal(s.unknown_lines, 0, `${what}: unknown lines`);
          assert.equal(s.level, level);
          assert.deepEqual(s.error, exp.error, what);
          assert.equal(s.processed_insns, exp.processed_insns, what);
          assert.equal(s.total_states, exp.total_states, what);
          assert.equal(s.peak_states, exp.peak_states, what);
          assert.equal(explain(log)?.id ?? null, exp.explanation ?? null, what);
        }
      }
    });
  }

  // Classes the real-program corpus found (scripts/corpus-eval.ts): the explanation named a kind the log contradicts
  // (data_end called "a plain number"), or missed a stale data_meta pointer copied into a helper argument.
  it('explanations name the pointer kind the log gives the register', async () => {
    const loader = new BpftoolLoader();
    const end = await loader.load(objects.get('pkt_end_deref')!, { logLevel: 1 });
    const e1 = explain(parseLogText(end.logs[0]!.log))!;
    assert.equal(e1.register, 'r1');
    assert.match(end.logs[0]!.log, /R1_?w?=pkt_end\(\)/);
    assert.equal(e1.facts.kind, 'pkt_end');
    assert.match(e1.explanation, /end of the packet \(pkt_end, from ctx->data_end\)/);
    assert.doesNotMatch(e1.explanation, /plain number/);
    const stale = await loader.load(objects.get('meta_stale_arg')!, { logLevel: 1 });
    const text = stale.logs[0]!.log;
    const e2 = explain(parseLogText(text))!;
    assert.equal(e2.id, 'stale-packet-pointer');
    assert.equal(e2.facts.was, 'pkt_meta');
    assert.equal(e2.facts.helper, 'bpf_xdp_adjust_meta');
    // The writer the explanation names held pkt_meta in the log; the argument register is a scalar at the call.
    const writer = /when insn (\d+) wrote it \(as (R\d)/.exec(e2.explanation)!;
    assert.ok(writer, e2.explanation);
    assert.match(text, new RegExp(`^${writer[1]}: .*; .*${writer[2]}_?w?=pkt_meta\\(`, 'm'));
    assert.match(text, new RegExp(`^${e2.register!.toUpperCase()} type=scalar expected=`, 'm'));
  });

  it('xdp-meta load: summary, --log file, exit status, nothing left pinned', async () => {
    const logFile = path.join(tmp, 'short.log');
    const r = await runCli(['load', objects.get('meta_short_check')!, '--log-level', '2', '--log', logFile, '--loader', 'bpftool', '--json']);
    assert.equal(r.code, 1, r.err);
    const out = JSON.parse(r.out) as { error: { insn: number; line: number }; level: number; loaded: boolean; explanation: { id: string } };
    assert.equal(out.error.insn, 11);
    assert.equal(out.error.line, 17);
    assert.equal(out.level, 2);
    assert.equal(out.loaded, false);
    assert.equal(out.explanation.id, 'packet-meta-range');
    const saved = readFileSync(logFile, 'utf8');
    assert.match(saved, /^func#0 @0\n/);
    assert.match(saved, /processed 11 insns/);
    const ok = await runCli(['load', objects.get('meta_good')!, '--loader', 'bpftool']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /loaded and unloaded/);
    const bad = await runCli(['load', path.join(FIXTURES, 'meta_good.bpf.c'), '--loader', 'bpftool']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /not an ELF object/);
  });

  it('xdp-meta load --dev binds a metadata-kfunc program to the device (agent)', async function () {
    requirePrereq(this, loaders.some((l) => l.name === 'agent'), 'the xdp-meta agent (make -C agent)');
    execFileSync('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', VETH_PEER]);
    execFileSync('ip', ['link', 'set', VETH, 'up']);
    const unbound = await runCli(['load', objects.get('kfunc_not_devbound')!, '--loader', 'agent', '--json']);
    assert.equal(unbound.code, 1);
    assert.equal((JSON.parse(unbound.out) as { explanation: { id: string } }).explanation.id, 'kfunc-dev-bound');
    const bound = await runCli(['load', objects.get('kfunc_not_devbound')!, '--loader', 'agent', '--dev', VETH, '--log-level', '2', '--json']);
    assert.equal(bound.code, 0, bound.err + bound.out);
    const out = JSON.parse(bound.out) as { dev_bound: boolean; error: unknown; processed_insns: number };
    assert.equal(out.dev_bound, true);
    assert.equal(out.error, null);
    assert.ok(out.processed_insns > 0);
    const viaBpftool = await runCli(['load', objects.get('kfunc_not_devbound')!, '--loader', 'bpftool', '--dev', VETH]);
    assert.equal(viaBpftool.code, 1);
    assert.match(viaBpftool.err, /xdpmeta_dev|device-bound/);
  });
});
