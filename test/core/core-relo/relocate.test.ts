import { strict as assert } from 'node:assert';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import {
  CoreSpecError, describeAccess, essentialNameLen, fileTarget, formatSpec, loadCoreObject, parseSpec, relocateObject,
  BPF_CORE_FIELD_BYTE_OFFSET, BPF_CORE_TYPE_EXISTS, BPF_CORE_ENUMVAL_VALUE, POISON_IMM,
} from '../../../src/core/core-relo';
import type { CoreReloResult } from '../../../src/core/core-relo';

const inc = ['-I', `${__dirname}/../../fixtures/core-relo`];

describe('core/core-relo', () => {
  describe('essential names (libbpf bpf_core_essential_name_len)', () => {
    const cases: [string, string][] = [
      ['xdp_md', 'xdp_md'], ['xdp_md___mine', 'xdp_md'], ['a___b___c', 'a___b'], ['foo____bar', 'foo____bar'],
      ['___x', '___x'], ['foo___', 'foo___'], ['x___1', 'x'], ['', ''],
    ];
    for (const [name, ess] of cases) it(`'${name}' -> '${ess}'`, () => assert.equal(name.slice(0, essentialNameLen(name)), ess));
  });

  describe('with clang fixtures', function () {
    let obj: string;
    let alt: string;
    let results: CoreReloResult[];
    const find = (prog: string, insn: number): CoreReloResult => {
      const r = results.find((x) => x.program === prog && x.insn === insn);
      assert.ok(r, `relocation at ${prog}:${insn}`);
      return r;
    };

    before(function () {
      requirePrereq(this, hasClang(), 'clang-19');
      obj = buildBpfObject('core-relo/xdp-core.c', { args: inc });
      alt = buildBpfObject('core-relo/target-alt.c');
      results = relocateObject(loadCoreObject(obj), fileTarget(alt));
    });

    it('parses access strings into libbpf specs and rejects malformed ones', () => {
      const { btf } = loadCoreObject(obj);
      const id = btf.findIdsByName('xdp_md', 'STRUCT')[0]!;
      const spec = parseSpec('p', btf, id, '0:2', BPF_CORE_FIELD_BYTE_OFFSET);
      assert.equal(formatSpec(spec), `<byte_off> [${id}] struct xdp_md.data_meta (0:2 @ offset 8)`);
      assert.equal(describeAccess(spec), 'struct xdp_md::data_meta (0:2)');
      for (const bad of ['', ':1', '0:x', '0:9', '0:-1']) {
        assert.throws(() => parseSpec('p', btf, id, bad, BPF_CORE_FIELD_BYTE_OFFSET), CoreSpecError, `'${bad}'`);
      }
      assert.throws(() => parseSpec('p', btf, id, '1', BPF_CORE_TYPE_EXISTS), CoreSpecError);
      assert.throws(() => parseSpec('p', btf, id, '0', BPF_CORE_ENUMVAL_VALUE), CoreSpecError);
    });

    it('reports program, function-relative instruction, kind, access, local and target values', () => {
      const r = find('xdp_fields', 2);
      assert.equal(r.kind, 'FIELD_BYTE_OFFSET');
      assert.equal(r.access, 'struct xdp_md::data_meta (0:2)');
      assert.equal(r.local, 8n);
      assert.equal(r.target, 4n);
      assert.equal(r.poison, false);
      assert.equal(r.patch![0]!.off, 4);
      assert.match(r.reason, /matched \[\d+\] in target-alt-[0-9a-f]+\.o/);
      // The subprogram's relocations count from its own first instruction.
      assert.ok(results.some((x) => x.program === 'parse_ip' && x.insn === 0));
    });

    it('poisons with target null and the invalid call libbpf substitutes', () => {
      const r = find('xdp_checks', 3);
      assert.equal(r.poison, true);
      assert.equal(r.target, null);
      assert.equal(r.access, 'struct xdp_md___mine::no_such_field (0:3)');
      assert.deepEqual(r.patch, [{ code: 0x85, dst: 0, src: 0, off: 0, imm: POISON_IMM }]);
      assert.match(r.reason, /the target's xdp_md lacks a compatible field; instruction poisoned/);
      // Existence checks are not poisoned: they become 0.
      const e = find('xdp_checks', 1);
      assert.equal(e.kind, 'FIELD_EXISTS');
      assert.equal(e.target, 0n);
      assert.equal(e.poison, false);
      // ld_imm64 (64-bit enum value missing in the target): both slots poisoned.
      const v = results.find((x) => x.kind === 'ENUMVAL_VALUE' && x.access.startsWith('enum64 perf_callchain_context'))!;
      assert.equal(v.poison, true);
      assert.equal(v.patch!.length, 2);
    });

    it('narrows an unsigned load (mem_sz 8 -> 4) and poisons a signed one', () => {
      const w = find('xdp_sizes', 0);
      assert.equal(w.patch![0]!.code, 0x61); // LDX | MEM | W
      const s = find('xdp_sizes', 1);
      assert.equal(s.poison, true);
      assert.match(s.reason, /size changes 8 -> 2 bytes/);
    });

    it('resolves a big-endian object the same way (shift amounts follow the object byte order)', () => {
      const be = relocateObject(loadCoreObject(buildBpfObject('core-relo/xdp-core.c', { args: [...inc, '--target=bpfeb'] })), fileTarget(alt));
      assert.equal(be.length, results.length);
      for (const [i, r] of be.entries()) {
        const le = results[i]!;
        assert.equal(r.access, le.access);
        assert.equal(r.poison, le.poison, r.access);
        if (r.kind !== 'FIELD_LSHIFT_U64') assert.equal(r.target, le.target, `${r.kind} ${r.access}`);
      }
      // iphdr.version, first 4 bits of byte 0 in the target: a big-endian load needs no left shift beyond 56.
      const ls = be.find((r) => r.kind === 'FIELD_LSHIFT_U64' && r.access.includes('iphdr::version'))!;
      assert.equal(ls.target, 56n);
    });
  });
});
