// `xdp-meta btf` tests: summary, JSON, raw and C output, and clean errors for bad input and usage.
import { strict as assert } from 'node:assert';
import { main } from '../../../src/cli/main';
import { requirePrereq } from '../../helpers/prereq';
import { coreReloObject, haveClang, haveVmlinux, VMLINUX } from '../../core/btf/fixtures';

/** Runs the CLI in-process and captures what it writes. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const saved = [process.stdout.write, process.stderr.write];
  let out = '';
  let err = '';
  process.stdout.write = ((s: string) => { out += s; return true; }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => { err += s; return true; }) as typeof process.stderr.write;
  try {
    return { code: await main(args), out, err };
  } finally {
    [process.stdout.write, process.stderr.write] = saved as [typeof process.stdout.write, typeof process.stderr.write];
  }
}

describe('cli/commands/btf', () => {
  it('summarizes an object with its .BTF.ext CO-RE relocations', async function () {
    requirePrereq(this, haveClang, 'clang-19');
    const r = await cli(['btf', coreReloObject()]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /object \.BTF, little-endian/);
    assert.match(r.out, /STRUCT\s+\d+/);
    assert.match(r.out, /core_relo: 6 records in 2 section\(s\)/);
    assert.match(r.out, /xdp insn_off=0 FIELD_BYTE_OFFSET \[\d+\] struct xdp_md access 0:2/);
  });

  it('prints one vmlinux type as JSON, raw text and a compilable C header', async function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    const json = await cli(['btf', VMLINUX, '--format', 'json', '--type', 'xdp_md']);
    assert.equal(json.code, 0, json.err);
    const doc = JSON.parse(json.out) as { types: { kind: string; members: { name: string; typeId: number; bitOffset: number }[] }[] };
    assert.equal(doc.types[0]!.kind, 'STRUCT');
    const m = doc.types[0]!.members[2]!;
    assert.deepEqual([m.name, m.bitOffset, typeof m.typeId], ['data_meta', 64, 'number']);
    const raw = await cli(['btf', VMLINUX, '--format=raw', '--type', 'xdp_md']);
    assert.match(raw.out, /^\[\d+\] STRUCT 'xdp_md' size=24 vlen=6\n\t'data' type_id=\d+ bits_offset=0/);
    const c = await cli(['btf', VMLINUX, '--format', 'c', '--type', 'xdp_md']);
    assert.match(c.out, /struct xdp_md \{\n\t__u32 data;/);
  });

  it('reports bad input and bad usage without a stack trace', async () => {
    const missing = await cli(['btf', '/nonexistent/file.o']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /cannot read \/nonexistent\/file\.o/);
    const notBtf = await cli(['btf', __filename]);
    assert.equal(notBtf.code, 1);
    assert.match(notBtf.err, /at byte offset 0 .*BTF magic/);
    const usage = await cli(['btf', 'x', '--format', 'yaml']);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /--format must be one of summary, json, c, raw/);
    assert.equal((await cli(['btf'])).code, 2);
  });
});
