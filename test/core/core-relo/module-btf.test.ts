import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { readElfFile } from '../../../src/core/elf';
import { parseBtf } from '../../../src/core/btf';
import { kernelTarget, loadCoreObject, relocateObject } from '../../../src/core/core-relo';

const inc = ['-I', `${__dirname}/../../fixtures/core-relo`];

/** A module's split BTF over `base`: one `struct mod_only { int x; }` whose int comes from the base. */
function splitBtf(baseStringsSize: number, intId: number): Uint8Array {
  const strings = Buffer.from('mod_only\0x\0');
  const types = Buffer.alloc(12 + 12);
  types.writeUInt32LE(baseStringsSize + 0, 0); // name_off: "mod_only"
  types.writeUInt32LE((4 << 24) | 1, 4); // STRUCT, vlen 1
  types.writeUInt32LE(4, 8); // size
  types.writeUInt32LE(baseStringsSize + 9, 12); // member name "x"
  types.writeUInt32LE(intId, 16); // member type: the base's int
  types.writeUInt32LE(0, 20); // bit offset 0
  const hdr = Buffer.alloc(24);
  hdr.writeUInt16LE(0xeb9f, 0);
  hdr.writeUInt8(1, 2);
  hdr.writeUInt32LE(24, 4);
  hdr.writeUInt32LE(0, 8);
  hdr.writeUInt32LE(types.length, 12);
  hdr.writeUInt32LE(types.length, 16);
  hdr.writeUInt32LE(strings.length, 20);
  return Buffer.concat([hdr, types, strings]);
}

describe('core/core-relo module (split) BTF candidates', function () {
  let dir: string;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    dir = mkdtempSync(path.join(tmpdir(), 'corerelo-modbtf-'));
    const baseBytes = readElfFile(buildBpfObject('core-relo/target-alt.c')).sectionByName('.BTF')!.data;
    writeFileSync(path.join(dir, 'vmlinux'), baseBytes);
    const base = parseBtf(baseBytes, 'vmlinux');
    writeFileSync(path.join(dir, 'mymod'), splitBtf(base.stringsSize, base.findIdsByName('int', 'INT')[0]!));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('looks in module BTF only for types vmlinux lacks, and relocates against the module type', () => {
    const target = kernelTarget(dir);
    const results = relocateObject(loadCoreObject(buildBpfObject('core-relo/module.c', { args: inc })), target);
    const field = results.find((r) => r.access === 'struct mod_only::x (0:1)')!;
    assert.equal(field.local, 4n);
    assert.equal(field.target, 0n);
    assert.equal(field.targetType!.btf, 'mymod');
    assert.ok(field.targetType!.id >= target.main.count, 'a split (module) type id');
    const id = results.find((r) => r.kind === 'TYPE_ID_TARGET')!;
    assert.equal(id.target, BigInt(field.targetType!.id));
    const meta = results.find((r) => r.access === 'struct xdp_md::data_meta (0:2)')!;
    assert.equal(meta.targetType!.btf, 'vmlinux');
  });
});
