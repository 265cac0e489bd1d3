import { strict as assert } from 'node:assert';
import { writeFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { runCli as run } from '../../helpers/run-cli';
import { readElfFile } from '../../../src/core/elf';

const inc = ['-I', `${__dirname}/../../fixtures/core-relo`];

describe('xdp-meta relocs', function () {
  let obj: string;
  let alt: string;
  let tmp: string;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    obj = buildBpfObject('core-relo/xdp-core.c', { args: inc });
    alt = buildBpfObject('core-relo/target-alt.c');
    tmp = mkdtempSync(path.join(tmpdir(), 'corerelo-cli-'));
  });
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  it('--json prints one object per relocation with the documented fields', async () => {
    const r = await run(['relocs', obj, '--target-btf', alt, '--json']);
    assert.equal(r.code, 0, r.err);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rows.length, 45);
    for (const row of rows) for (const k of ['program', 'insn', 'kind', 'access', 'local', 'target', 'poison']) assert.ok(k in row, k);
    assert.deepEqual(rows.find((x) => x.program === 'xdp_fields' && x.insn === 2),
      { program: 'xdp_fields', section: 'xdp', insn: 2, kind: 'FIELD_BYTE_OFFSET', access: 'struct xdp_md::data_meta (0:2)', local: 8, target: 4,
        poison: false, reason: rows.find((x) => x.program === 'xdp_fields' && x.insn === 2)!.reason, spec: '<byte_off> [2] struct xdp_md.data_meta (0:2 @ offset 8)' });
    const poisoned = rows.filter((x) => x.poison === true);
    assert.ok(poisoned.length > 0);
    for (const p of poisoned) assert.equal(p.target, null);
  });

  it('accepts a raw BTF file as the target', async () => {
    // The .BTF section bytes of the target object are a raw BTF blob.
    const raw = path.join(tmp, 'alt.btf');
    writeFileSync(raw, readElfFile(alt).sectionByName('.BTF')!.data);
    const a = await run(['relocs', obj, '--target-btf', raw, '--json']);
    const b = await run(['relocs', obj, '--target-btf', alt, '--json']);
    assert.equal(a.code, 0, a.err);
    // Same decisions; only the target's name in `reason` differs.
    const strip = (out: string): unknown[] => out.trim().split('\n').map((l) => ({ ...JSON.parse(l), reason: undefined }));
    assert.deepEqual(strip(a.out), strip(b.out));
  });

  it('exits 1 and names the relocation when libbpf would refuse the object (ambiguity)', async () => {
    const r = await run(['relocs', buildBpfObject('core-relo/ambig.c', { args: inc }), '--target-btf', buildBpfObject('core-relo/ambig-target.c')]);
    assert.equal(r.code, 1);
    assert.match(r.out, /struct other::x \(0:0\)\terror\t.*relocation decision ambiguity: success 8 != success 4/);
    assert.match(r.out, /struct thing::b \(0:1\)\terror\t.*field offset ambiguity: 0 != 32/);
  });

  it('--log prints libbpf\'s own lines', async () => {
    const r = await run(['relocs', obj, '--target-btf', alt, '--log']);
    assert.match(r.out, /prog 'xdp_fields': relo #1: patched insn #2 \(LDX\/ST\/STX\) off 8 -> 4/);
  });

  it('gives typed errors for bad input, never a stack', async () => {
    const trunc = path.join(tmp, 'trunc.o');
    writeFileSync(trunc, readFileSync(obj).subarray(0, 200));
    const t = await run(['relocs', trunc]);
    assert.equal(t.code, 1);
    assert.match(t.err, /trunc\.o: at byte offset \d+/);
    const notBtf = path.join(tmp, 'x.btf');
    writeFileSync(notBtf, 'hello');
    const b = await run(['relocs', obj, '--target-btf', notBtf]);
    assert.equal(b.code, 1);
    assert.match(b.err, /x\.btf/);
    assert.equal((await run(['relocs'])).code, 2);
    assert.equal((await run(['relocs', obj, '--bogus'])).code, 2);
  });
});
