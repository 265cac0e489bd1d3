// loadOnce (used by `xdp-meta load`): the verifier log of passing and failing loads, device binding, no leftovers.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../src/core/compile';
import { dryRun } from '../../src/core/remote/dryrun';
import { loadOnce } from '../../src/core/remote/load';
import { buildUdp } from '../../src/core/remote/packets';
import { buildBpfObject as buildRaw, hasClang } from '../helpers/clang';
import { createVethNs, waitClean, type VethNs } from '../helpers/netns';
import { isRoot, requirePrereq } from '../helpers/prereq';

const ROOT = path.resolve(__dirname, '../..');
/** The fixtures include <linux/bpf.h>, which needs the multiarch asm/ headers. */
const buildBpfObject = (f: string) => buildRaw(f, { args: ['-idirafter', multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'] });

describe('remote/loadOnce and dryRun (local agent)', function () {
  this.timeout(60_000);
  let net: VethNs;

  before(function () {
    requirePrereq(this, isRoot, 'root (BPF)');
    requirePrereq(this, hasClang(), 'clang-19');
    execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
    net = createVethNs();
  });
  after(() => net?.destroy());

  it('a passing program: level 2 log with the statistics line', async () => {
    const r = await loadOnce({ object: buildBpfObject('remote/meta_magic.bpf.c'), logLevel: 2 });
    assert.equal(r.ok, true);
    assert.equal(r.program, 'xdp_meta_magic');
    assert.match(r.log, /^func#0 @0/m);
    assert.match(r.log, /processed \d+ insns/);
  });

  it('a failing program: ok false, the full log and the error line', async () => {
    const r = await loadOnce({ object: buildBpfObject('remote/unbounded_meta.bpf.c') });
    assert.equal(r.ok, false);
    assert.equal(r.error?.code, 'load_failed');
    assert.match(r.log, /invalid access to packet/);
    assert.match(r.error!.message, /^localhost: load: the kernel rejected program xdp_unbounded_meta/);
  });

  it('metadata kfuncs: needs --dev; device-bound with it', async () => {
    const obj = buildBpfObject('remote/rx_hash.bpf.c');
    const without = await loadOnce({ object: obj });
    assert.equal(without.ok, false);
    assert.equal(without.error?.code, 'needs_device');
    const forced = await loadOnce({ object: obj, devBound: 'no' });
    assert.match(forced.log, /metadata kfuncs require device-bound program/);
    const bound = await loadOnce({ object: obj, dev: net.hostIf });
    assert.equal(bound.ok, true);
    assert.equal(bound.reply?.dev_bound, true);
    assert.deepEqual(await waitClean(net.hostIf, ['xdp_rx_hash']), []);
  });

  it('dry run: verdict and decoded metadata per packet; metadata in; device-bound refused with the reason', async () => {
    const rows = await dryRun({ target: { kind: 'local' }, input: path.join(ROOT, 'test/fixtures/remote/drop_every_other.bpf.c'),
      packets: [buildUdp(), buildUdp(), buildUdp()] });
    assert.deepEqual(rows.map((r) => r.verdict), ['XDP_PASS', 'XDP_DROP', 'XDP_PASS']);
    assert.deepEqual(rows.map((r) => r.fields?.seq), [0, 1, 2]);
    assert.equal(rows[0].struct, 'verdict_meta');
    const withMeta = await dryRun({ target: { kind: 'local' }, input: path.join(ROOT, 'test/fixtures/remote/drop_every_other.bpf.c'),
      packets: [buildUdp()], metaIn: 'aabbccdd' });
    assert.equal(withMeta[0].meta_len, 8, 'the program grew the given 4 bytes by 4');
    assert.equal(withMeta[0].meta_hex.slice(8), 'aabbccdd');
    await assert.rejects(dryRun({ target: { kind: 'local' }, input: path.join(ROOT, 'test/fixtures/remote/rx_hash.bpf.c'), packets: [buildUdp()] }),
      /only loads device-bound, and BPF_PROG_TEST_RUN cannot run device-bound programs/);
  });
});
