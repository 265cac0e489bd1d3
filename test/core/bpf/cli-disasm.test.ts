import { strict as assert } from 'node:assert';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { runCli as run } from '../../helpers/run-cli';
import { multiarchInclude } from './objdump';

describe('xdp-meta disasm', function () {
  let obj: string;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    obj = buildBpfObject('bpf/xdp-calls.c', { args: multiarchInclude() });
  });

  it('prints functions, source lines and named calls', async () => {
    const r = await run(['disasm', obj]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^xdp:xdp_calls:$/m);
    assert.match(r.out, /^\.text:bump \(subprogram\):$/m);
    assert.match(r.out, /^; if \(bpf_xdp_adjust_meta\(ctx, -4\)\) {2}@ .*xdp-calls\.c:34:6$/m);
    assert.match(r.out, /^ {3}6: call 0x36\t; bpf_xdp_adjust_meta$/m);
    assert.match(r.out, /call -0x1\t; kfunc bpf_xdp_metadata_rx_hash$/m);
    assert.match(r.out, /call -0x1\t; bump$/m);
    assert.match(r.out, /r1 = 0x0 ll\t; counters$/m);
  });

  it('--json gives one object per instruction', async () => {
    const r = await run(['disasm', obj, '--json']);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as { function: string; insn: number; text: string; call?: { kind: string; name?: string }; line?: number });
    const k = rows.find((x) => x.call?.kind === 'kfunc')!;
    assert.equal(k.call!.name, 'bpf_xdp_metadata_rx_hash');
    assert.equal(k.function, 'xdp_calls');
    assert.equal(k.line, 40);
  });

  it('rejects a non-object with a typed error', async () => {
    const r = await run(['disasm', __filename]);
    assert.equal(r.code, 1);
    assert.match(r.err, /ELF magic/);
  });
});
