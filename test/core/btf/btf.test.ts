// BTF model tests: bpftool is the judge for every type (fixture, vmlinux, split, hand-built), plus lazy lookup and errors.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BtfBuilder } from '../../../src/core/btf/builder';
import { dumpRaw } from '../../../src/core/btf/format-raw';
import { btfFromElf, parseBtf, readBtfFile } from '../../../src/core/btf/load';
import { BtfModel } from '../../../src/core/btf/model';
import type { Btf, BtfType } from '../../../src/core/btf/types';
import { readElfFile } from '../../../src/core/elf/reader';
import { FormatError, XdpMetaError } from '../../../src/core/util/errors';
import { requirePrereq } from '../../helpers/prereq';
import {
  allKindsObject, allKindsObjectBE, BPFTOOL, haveBpftool, haveClang, haveVmlinux, run, VMLINUX,
} from './fixtures';

const decoded = (btf: Btf): number => (btf as BtfModel).decodedCount;

describe('core/btf model', () => {
  let le: string;
  let be: string;
  let tmp: string;

  before(function () {
    requirePrereq(this, haveClang, 'clang-19');
    le = allKindsObject();
    be = allKindsObjectBE();
    tmp = mkdtempSync(path.join(tmpdir(), 'btf-test-'));
  });
  after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

  describe('agrees with bpftool (the judge)', () => {
    before(function () { requirePrereq(this, haveBpftool, 'bpftool'); });

    it('dumps every type of the every-kind fixture like `bpftool btf dump file` (both byte orders)', () => {
      for (const obj of [le, be]) {
        const btf = readBtfFile(obj);
        assert.equal(dumpRaw(btf), run(BPFTOOL, ['btf', 'dump', 'file', obj]));
      }
      assert.equal(readBtfFile(be).byteOrder, 'big');
    });

    it('dumps all of vmlinux like bpftool', function () {
      requirePrereq(this, haveVmlinux, VMLINUX);
      this.timeout(120_000);
      assert.equal(dumpRaw(readBtfFile(VMLINUX)), run(BPFTOOL, ['btf', 'dump', 'file', VMLINUX]));
    });

    it('reads split BTF over vmlinux with continued type ids and string offsets', function () {
      requirePrereq(this, haveVmlinux, VMLINUX);
      const base = readBtfFile(VMLINUX);
      const xdpMd = base.findByName('xdp_md', 'STRUCT')!;
      const u32 = base.findByName('__u32', 'TYPEDEF')!;
      const b = new BtfBuilder({ base });
      const ptr = b.ptr(xdpMd.id);
      const s = b.struct('split_test_meta', 16, [
        { name: 'ctx', typeId: ptr, bitOffset: 0 },
        { name: 'data_meta', typeId: u32.id, bitOffset: 64 }, // a name the base already has
        { name: 'hash', typeId: u32.id, bitOffset: 96 },
      ]);
      const file = path.join(tmp, 'split.btf');
      writeFileSync(file, b.encode());
      const split = readBtfFile(file, { base });
      assert.equal(split.startId, base.count);
      assert.equal(s, base.count + 1);
      assert.equal(split.count, base.count + 2);
      assert.equal(split.findByName('split_test_meta', 'STRUCT')!.id, s);
      assert.equal(split.findByName('xdp_md', 'STRUCT')!.id, xdpMd.id, 'base types are found through the split BTF');
      assert.equal(split.typeById(xdpMd.id), xdpMd);
      const st = split.typeById(s);
      assert.ok(st.kind === 'STRUCT');
      const m0 = st.members[0]!.type;
      assert.ok(m0.kind === 'PTR' && m0.type === xdpMd);
      assert.equal(dumpRaw(split), run(BPFTOOL, ['btf', 'dump', 'file', file, '-B', VMLINUX]));
    });

    it('encodes hand-built BTF (both byte orders) that bpftool reads back identically', () => {
      for (const byteOrder of ['little', 'big'] as const) {
        const b = new BtfBuilder({ byteOrder });
        const int = b.int('int', 4, { signed: true });
        const ch = b.int('char', 1, { signed: true });
        const self = b.nextId;
        const ptr = b.ptr(self + 1);
        b.struct('node', 24, [
          { name: 'next', typeId: ptr, bitOffset: 0 },
          { name: 'v', typeId: int, bitOffset: 64, bitfieldSize: 3 },
          { name: 'name', typeId: b.array(ch, int, 8), bitOffset: 128 },
        ]);
        assert.equal(self + 1, 4);
        b.enum64('e64', 8, [{ name: 'BIG', value: -2n }]);
        b.enum('e32', 4, [{ name: 'A', value: 4000000000 }], false);
        b.declTag('tag', 4, 1);
        b.funcProto(0, [{ name: 'x', typeId: int }, { typeId: 0 }]);
        const file = path.join(tmp, `built-${byteOrder}.btf`);
        writeFileSync(file, b.encode());
        const btf = readBtfFile(file);
        assert.equal(btf.byteOrder, byteOrder);
        assert.equal(dumpRaw(btf), run(BPFTOOL, ['btf', 'dump', 'file', file]));
      }
    });
  });

  it('finds one struct in vmlinux without decoding the other 126k types', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    const btf = readBtfFile(VMLINUX);
    assert.ok(btf.count > 1000);
    assert.equal(decoded(btf), 0);
    const xdp = btf.findByName('xdp_md', 'STRUCT');
    assert.ok(xdp);
    assert.deepEqual(xdp.members.map((m) => [m.name, m.bitOffset / 8, btf.sizeof(m.type)]), [
      ['data', 0, 4], ['data_end', 4, 4], ['data_meta', 8, 4], ['ingress_ifindex', 12, 4], ['rx_queue_index', 16, 4], ['egress_ifindex', 20, 4],
    ]);
    assert.equal(btf.sizeof(xdp), 24);
    assert.equal(btf.resolveTypedefs(xdp.members[2]!.type).name, 'unsigned int');
    assert.ok(decoded(btf) < 10, `decoded ${decoded(btf)} types`);
    assert.equal(btf.findByName('no_such_type_xyz'), undefined);
    assert.equal(btf.findByName('xdp_md', 'UNION'), undefined);
    assert.equal(btf.kindOf(xdp.id), 'STRUCT');
    assert.equal(btf.nameOf(xdp.id), 'xdp_md');
    assert.ok(btf.findIdsByName('bpf_xdp_metadata_rx_hash', 'FUNC').length === 1);
  });

  it('models every kind with links, bitfields, signed enums, enum64, tags and linkage', () => {
    const btf = btfFromElf(readElfFile(le));
    const byName = <K extends BtfType['kind']>(n: string, k: K) => {
      const t = btf.findByName(n, k);
      assert.ok(t, `${k} ${n}`);
      return t;
    };
    const bits = byName('bits', 'STRUCT');
    assert.ok(bits.kindFlag);
    assert.deepEqual(bits.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize]),
      [['a', 0, 3], ['b', 3, 5], ['c', 8, 9], ['flag', 24, 0], ['wide', 64, 40], ['e', 104, 8]]);
    assert.equal(btf.sizeof(bits), 16);
    const small = byName('small_enum', 'ENUM');
    assert.ok(small.signed);
    assert.deepEqual(small.values.map((v) => v.value), [0, 5, -3]);
    const big = byName('big_enum', 'ENUM64');
    assert.deepEqual(big.values.map((v) => v.value), [1n, 0x1234567890n, 0xffffffffffffffffn]);
    const nested = byName('nested', 'STRUCT');
    const m = (n: string) => nested.members.find((x) => x.name === n)!;
    assert.equal(btf.sizeof(nested), 136);
    assert.equal(m('anon_s').type.kind, 'STRUCT');
    assert.equal(m('anon_s').type.name, '');
    const fp = m('fp').type;
    assert.ok(fp.kind === 'PTR' && fp.type.kind === 'FWD' && fp.type.fwdKind === 'struct');
    const cvp = m('cvp').type; // restrict -> ptr -> const -> volatile -> int
    assert.equal(cvp.kind, 'RESTRICT');
    assert.equal(btf.skipModifiers(cvp).kind, 'PTR');
    const cb = m('callback').type;
    assert.ok(cb.kind === 'PTR' && cb.type.kind === 'FUNC_PROTO' && cb.type.variadic && cb.type.params.length === 3);
    const matrix = m('matrix').type;
    assert.ok(matrix.kind === 'ARRAY' && matrix.nelems === 2 && matrix.elemType.kind === 'ARRAY');
    assert.equal(btf.sizeof(matrix), 24);
    assert.equal(btf.sizeof(m('typed').type), 8);
    assert.equal(btf.resolveTypedefs(m('typed').type).name, 'unsigned long long');
    const tagged = m('tagged_ptr').type;
    assert.ok(tagged.kind === 'PTR' && tagged.type.kind === 'TYPE_TAG' && tagged.type.name === 'user');
    assert.equal(m('ld').type.kind, 'FLOAT');
    const packed = byName('packed_rec', 'STRUCT');
    assert.equal(btf.sizeof(packed), 7);
    assert.equal(btf.alignof(packed), 1);
    assert.equal(btf.alignof(nested), 8);
    const tags = btf.findIdsByName('param_tag', 'DECL_TAG').map((id) => btf.typeById(id));
    assert.ok(tags[0]?.kind === 'DECL_TAG' && tags[0].componentIdx === 0 && tags[0].type.name === 'helper_fn');
    const nestedTag = byName('nested_tag', 'DECL_TAG');
    assert.equal(nestedTag.componentIdx, -1);
    assert.equal(byName('helper_fn', 'FUNC').linkage, 'static');
    assert.equal(byName('bpf_xdp_metadata_rx_hash', 'FUNC').linkage, 'extern');
    assert.equal(byName('ro_value', 'VAR').linkage, 'static');
    const ksyms = byName('.ksyms', 'DATASEC');
    assert.deepEqual(ksyms.vars.map((v) => v.type.name), ['bpf_xdp_metadata_rx_hash', 'bpf_prog_active']);
    assert.equal(btf.typeById(0).kind, 'VOID');
    assert.throws(() => btf.sizeof(byName('all_kinds_prog', 'FUNC').type), XdpMetaError);
    assert.equal(btf.decodeAll().length, btf.count - 1);
  });

  it('rejects corrupt BTF with FormatError naming the offset', () => {
    const bytes = new Uint8Array(readElfFile(le).sectionByName('.BTF')!.data);
    const bad = (b: Uint8Array, re: RegExp) => assert.throws(() => parseBtf(b, 'x.btf').decodeAll(),
      (e: unknown) => e instanceof FormatError && re.test(e.message), re.source);
    bad(bytes.subarray(0, 10), /btf_header/);
    bad(new Uint8Array([1, 2, 3, 4]), /magic/);
    bad(bytes.subarray(0, bytes.length - 20), /string section/);
    const kind = bytes.slice();
    kind[24 + 7] = 31; // first type's info: kind 31
    bad(kind, /BTF kind/);
    const ref = bytes.slice();
    new DataView(ref.buffer).setUint32(24 + 8, 999999, true); // first type (PTR) points nowhere
    bad(ref, /type id below/);
    const nameOff = bytes.slice();
    new DataView(nameOff.buffer).setUint32(24, 0x7fffffff, true);
    bad(nameOff, /name_off/);
    const btf = parseBtf(bytes, 'ok.btf');
    assert.throws(() => btf.typeById(btf.count), FormatError);
    assert.throws(() => readBtfFile('/nonexistent.btf'), (e: unknown) => e instanceof XdpMetaError && /cannot read/.test(e.message));
    assert.throws(() => readBtfFile(path.join(__dirname, 'fixtures.ts')), FormatError);
  });
});
