// Every rule code fires on its fixture and stays quiet on the near-miss; the two-kernel CO-RE case; ordering and stability.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { runCheck } from '../../../src/core/check';
import type { CheckCode, Diagnostic } from '../../../src/core/check';
import { coreTarget, resolveCore } from '../../../src/core/check/core';
import { loadCheckObject } from '../../../src/core/check/object';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';

const ASM = multiarchIncludeDir();
import { requirePrereq } from '../../helpers/prereq';
import { fixture, kernelA, kernelB, sourceOf } from './fixtures';

const check = (names: string[], targetBtf?: string) =>
  runCheck(names.map((n) => ({ objectPath: fixture(n), sourcePath: sourceOf(n) })), { targetBtf }).diagnostics;
const codes = (ds: Diagnostic[], code: CheckCode) => ds.filter((d) => d.code === code);
const lineOf = (name: string, needle: string): number => {
  const lines = require('node:fs').readFileSync(sourceOf(name), 'utf8').split('\n') as string[];
  const i = lines.findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${name}`);
  return i + 1;
};
const hasVmlinux = existsSync('/sys/kernel/btf/vmlinux');

describe('check rules', function () {
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
  });

  describe('core-unresolved', () => {
    it('fires on a program-owned meta struct marked preserve_access_index, with the drop-attribute advice', function () {
      requirePrereq(this, hasVmlinux, '/sys/kernel/btf/vmlinux');
      const ds = check(['core_unresolved_fire']);
      const cu = codes(ds, 'core-unresolved');
      assert.equal(cu.length, 2);
      assert.deepEqual(cu.map((d) => d.line), [lineOf('core_unresolved_fire', 'meta->mark = 42'), lineOf('core_unresolved_fire', 'meta->hash = 7')]);
      for (const d of cu) {
        assert.equal(d.severity, 'error');
        assert.match(d.message, /struct my_meta::(mark|hash)/);
        assert.match(d.message, /running kernel/);
        assert.match(d.message, /drop __attribute__\(\(preserve_access_index\)\)/);
        assert.equal(d.file, sourceOf('core_unresolved_fire'));
        assert.deepEqual(d.fix, { kind: 'drop-preserve-access-index', struct: 'my_meta', declFile: sourceOf('core_unresolved_fire'), declLine: lineOf('core_unresolved_fire', 'struct my_meta {') });
      }
      // The poisoned writes are not also reported as bounds problems.
      assert.equal(codes(ds, 'meta-bounds').length, 0);
    });
    it('fires when the struct sits inside a vmlinux.h-style pragma region', function () {
      requirePrereq(this, hasVmlinux, '/sys/kernel/btf/vmlinux');
      const cu = codes(check(['core_unresolved_pragma']), 'core-unresolved');
      assert.equal(cu.length, 1);
      assert.equal(cu[0]!.line, lineOf('core_unresolved_pragma', 'meta->mark == 42'));
      assert.match(cu[0]!.message, /struct pragma_meta::mark .*move it out of vmlinux\.h's "#pragma clang attribute push" region/);
    });
    it('is quiet for the same struct without preserve_access_index', function () {
      requirePrereq(this, hasVmlinux, '/sys/kernel/btf/vmlinux');
      assert.deepEqual(check(['core_unresolved_clean']), []);
    });
    it('fires for the CO-RE reader on a kernel without the struct (the running kernel)', function () {
      requirePrereq(this, hasVmlinux, '/sys/kernel/btf/vmlinux');
      const cu = codes(check(['meta_not_core_clean']), 'core-unresolved');
      assert.ok(cu.length >= 2);
      assert.ok(cu.every((d) => /xdp_to_skb_metadata/.test(d.message)));
      // The proposal's struct is kernel-owned: the advice is a target that has it, never dropping CO-RE.
      assert.ok(cu.every((d) => /kernel-owned/.test(d.message) && !/drop __attribute__/.test(d.message)));
      assert.ok(cu.every((d) => d.fix === undefined));
    });
  });

  describe('meta-not-core (two target kernels built from C)', () => {
    for (const [label, target] of [['kernel A', kernelA], ['kernel B', kernelB]] as const) {
      it(`flags each fixed-offset read of the kernel-owned struct on ${label}`, () => {
        const ds = check(['meta_not_core_fire'], target());
        const mnc = codes(ds, 'meta-not-core');
        assert.deepEqual(mnc.map((d) => d.line), [lineOf('meta_not_core_fire', 'meta->rx_hash & 1'), lineOf('meta_not_core_fire', 'meta->rx_timestamp ?')]);
        assert.match(mnc[0]!.message, /struct xdp_to_skb_metadata is owned by the kernel/);
        assert.match(mnc[0]!.message, /meta->rx_hash is read at fixed offset 4/);
        assert.deepEqual(mnc[0]!.fix, { kind: 'use-core-read', struct: 'xdp_to_skb_metadata', field: 'rx_hash', accessLine: mnc[0]!.line });
        assert.equal(ds.length, 2, JSON.stringify(ds));
      });
      it(`is quiet for the CO-RE reader on ${label}`, () => {
        assert.deepEqual(check(['meta_not_core_clean'], target()), []);
      });
    }
    it('finds the struct through a cast on the source line when no variable has its type', () => {
      const mnc = codes(check(['meta_not_core_cast'], kernelB()), 'meta-not-core');
      assert.equal(mnc.length, 1);
      assert.equal(mnc[0]!.line, lineOf('meta_not_core_cast', '->rx_hash & 1'));
      assert.match(mnc[0]!.message, /struct xdp_to_skb_metadata::rx_hash is read at fixed offset 4 .*it is at offset 8/);
    });
    it('says where the target kernel has the field when it moved', () => {
      const [d] = codes(check(['meta_not_core_fire'], kernelB()), 'meta-not-core');
      assert.match(d!.message, /it is at offset 8/);
    });
    it('CO-RE resolves each field to the offset of each target kernel', () => {
      const obj = loadCheckObject({ objectPath: fixture('meta_not_core_clean') });
      const offsets = (target: string) => Object.fromEntries(resolveCore(obj, coreTarget(target))
        .filter((o) => o.result.kind === 'FIELD_BYTE_OFFSET')
        .map((o) => [o.result.access.replace(/ \(.*$/, ''), Number(o.result.target)]));
      assert.deepEqual(offsets(kernelA()), { 'struct xdp_to_skb_metadata::rx_hash': 4, 'struct xdp_to_skb_metadata::rx_timestamp': 8 });
      assert.deepEqual(offsets(kernelB()), { 'struct xdp_to_skb_metadata::rx_hash': 8, 'struct xdp_to_skb_metadata::rx_timestamp': 0 });
    });
    it('is quiet for a fixed-offset read when the target has no such struct (program-owned then)', function () {
      requirePrereq(this, hasVmlinux, '/sys/kernel/btf/vmlinux');
      assert.deepEqual(codes(check(['meta_not_core_fire']), 'meta-not-core'), []);
    });
  });

  describe('meta-bounds', () => {
    it('fires without any bounds check: 0 bytes proven', () => {
      const mb = codes(check(['meta_bounds_none'], kernelA()), 'meta-bounds');
      assert.deepEqual(mb.map((d) => d.line), [lineOf('meta_bounds_none', 'meta->mark = 42'), lineOf('meta_bounds_none', 'meta->hash = 7')]);
      assert.match(mb[0]!.message, /0 bytes proven, 4 accessed/);
      assert.match(mb[1]!.message, /0 bytes proven, 8 accessed/);
      assert.deepEqual(mb[1]!.fix, { kind: 'add-bounds-check', struct: 'meta', bytesNeeded: 8, bytesProven: 0, accessLine: mb[1]!.line, pointer: 'meta' });
    });
    it('fires when the check is too small: 4 bytes proven, 8 accessed', () => {
      const mb = codes(check(['meta_bounds_short'], kernelA()), 'meta-bounds');
      assert.equal(mb.length, 1);
      assert.equal(mb[0]!.line, lineOf('meta_bounds_short', 'meta->hash = 7'));
      assert.match(mb[0]!.message, /struct meta::hash .*4 bytes proven, 8 accessed/);
    });
    it('fires when only one path is checked', () => {
      const mb = codes(check(['meta_bounds_path'], kernelA()), 'meta-bounds');
      assert.equal(mb.length, 1);
      assert.match(mb[0]!.message, /read of struct meta::mark .*0 bytes proven, 4 accessed/);
    });
    it('fires in a TC consumer reading skb->data_meta', () => {
      const mb = codes(check(['tc_bounds_short'], kernelA()), 'meta-bounds');
      assert.equal(mb.length, 1);
      assert.match(mb[0]!.message, /4 bytes proven, 8 accessed/);
    });
    const pattern = (n: number) => codes(runCheck([{ objectPath: fixture('real_patterns', [`-DCASE=${n}`]), sourcePath: sourceOf('real_patterns') }],
      { targetBtf: kernelA() }).diagnostics, 'meta-bounds');
    it('a kfunc writing a stack slot makes it unknown: the metadata selftest\'s `ts = -1; rx_timestamp(ctx, &ts); if (ts == 0)`', () => {
      const mb = pattern(21);
      assert.equal(mb.length, 1);
      assert.equal(mb[0]!.line, lineOf('real_patterns', 'meta->ts = 1;'));
      assert.deepEqual(pattern(22), []);
    });
    it('a kfunc\'s memory argument pointing into the metadata is checked against the proven range (its BTF prototype)', () => {
      const mb = pattern(23);
      assert.equal(mb.length, 1);
      assert.match(mb[0]!.message, /bpf_xdp_metadata_rx_hash\(\) writing 4 bytes .* 2nd argument .*4 bytes proven, 8 accessed/);
      assert.deepEqual(pattern(24), []);
    });
    it('helper memory arguments: map value size from the map\'s BTF; helpers without packet access', () => {
      assert.match(pattern(3)[0]!.message, /bpf_map_update_elem\(\) reading 32 bytes .*16 bytes proven, 32 accessed/);
      assert.match(pattern(5)[0]!.message, /bpf_perf_event_output\(\) takes no packet pointers/);
    });
    it('one finding per C statement: a memcpy of 32 bytes into the metadata gives one', () => {
      const mb = pattern(15);
      assert.equal(mb.length, 1);
      assert.match(mb[0]!.message, /8 bytes proven, 32 accessed/);
    });
    it('sections libbpf does not know are analysed by their ctx use (xdp_mark, tc_mark, prog)', () => {
      for (const n of [7, 9, 11]) assert.equal(pattern(n).length, 1, `case ${n}`);
      for (const n of [8, 10, 12]) assert.deepEqual(pattern(n), [], `case ${n}`);
    });
    for (const name of ['meta_bounds_ok', 'tc_bounds_ok', 'layout_producer', 'trailer_fire']) {
      it(`is quiet when the check covers every access (${name})`, () => {
        assert.deepEqual(codes(check([name], kernelA()), 'meta-bounds'), []);
      });
    }
  });

  describe('the xdp-hints-core template with preserve_access_index removed from its kernel-owned struct', () => {
    let obj: string;
    let target: string;
    let src: string;
    before(() => {
      const dir = require('node:fs').mkdtempSync(path.join(require('node:os').tmpdir(), 'check-hints-'));
      const tpl = path.resolve(__dirname, '../../../bpf-templates/xdp-hints-core');
      for (const f of ['xdp_hints_core.bpf.c', 'xdp_hints.h', 'hints_event.h', 'target-kernel.c']) require('node:fs').copyFileSync(path.join(tpl, f), path.join(dir, f));
      const h = path.join(dir, 'xdp_hints.h');
      const text: string = require('node:fs').readFileSync(h, 'utf8');
      assert.match(text, /__attribute__\(\(preserve_access_index\)\)/);
      require('node:fs').writeFileSync(h, text.replace(/__attribute__\(\(preserve_access_index\)\)/g, ''));
      src = path.join(dir, 'xdp_hints_core.bpf.c');
      obj = buildBpfObject(src, { args: ASM ? ['-idirafter', ASM] : [] });
      target = buildBpfObject(path.join(dir, 'target-kernel.c'));
    });
    it('against the template\'s target BTF: meta-not-core on each fixed-offset read (evidence from an optimised-out variable)', () => {
      const ds = runCheck([{ objectPath: obj, sourcePath: src }], { targetBtf: target }).diagnostics;
      const mnc = codes(ds, 'meta-not-core');
      assert.ok(mnc.length >= 3, ds.map((d) => d.message).join('\n'));
      assert.match(mnc[0]!.message, /struct xdp_to_skb_metadata is owned by the kernel/);
      assert.doesNotMatch(mnc[0]!.message, /read it with BPF_CORE_READ/);
    });
    it('against the running kernel: the bounds error says the check is sized by bpf_core_type_size(), 0 there', function () {
      requirePrereq(this, existsSync('/sys/kernel/btf/vmlinux'), '/sys/kernel/btf/vmlinux');
      const mb = codes(runCheck([{ objectPath: obj, sourcePath: src }]).diagnostics, 'meta-bounds');
      assert.ok(mb.length > 0);
      for (const d of mb) {
        assert.match(d.message, /bounds check is there, but it is sized with bpf_core_type_size\(struct xdp_to_skb_metadata\), which libbpf sets to 0/);
        assert.doesNotMatch(d.message, /0 bytes proven/);
      }
    });
  });

  describe('meta-layout-mismatch', () => {
    it('fires on both sides when producer and consumer lay out struct pkt_meta differently, showing both', () => {
      const ds = codes(check(['layout_producer', 'layout_consumer_diff'], kernelA()), 'meta-layout-mismatch');
      assert.equal(ds.length, 2);
      const onConsumer = ds.find((d) => d.file === sourceOf('layout_consumer_diff'))!;
      assert.ok(onConsumer);
      assert.match(onConsumer.message, /\{hash@0:4, mark@4:4, vlan@8:4\} \(12 bytes\) vs layout_producer\.bpf\.c \{mark@0:4, hash@4:4, vlan@8:2, pad@10:2\} \(12 bytes\)/);
      assert.equal(onConsumer.related?.[0]?.file, sourceOf('layout_producer'));
      assert.ok(ds.find((d) => d.file === sourceOf('layout_producer')));
    });
    it('is quiet when both use the same layout', () => {
      assert.deepEqual(check(['layout_producer', 'layout_consumer_same'], kernelA()), []);
    });
  });

  describe('meta-trailer', () => {
    it('recognises bpf_core_type_id_local() stored as the last member and names the struct', () => {
      const ds = codes(check(['trailer_fire'], kernelA()), 'meta-trailer');
      assert.equal(ds.length, 1);
      assert.equal(ds[0]!.severity, 'info');
      assert.equal(ds[0]!.line, lineOf('trailer_fire', 'meta->btf_id = bpf_core_type_id_local'));
      assert.match(ds[0]!.message, /struct hints_meta/);
    });
    it('is quiet when the type id is stored in the first member', () => {
      assert.deepEqual(check(['trailer_clean'], kernelA()), []);
    });
  });

  describe('kfuncs', () => {
    it('kfunc-devbound: info at each metadata kfunc call', () => {
      const ds = check(['kfunc_hash'], kernelA());
      assert.deepEqual(ds.map((d) => d.code), ['kfunc-devbound', 'kfunc-devbound']);
      assert.match(ds[0]!.message, /bpf_xdp_metadata_rx_hash\(\).*device-bound/);
      assert.equal(ds[0]!.line, lineOf('kfunc_hash', 'bpf_xdp_metadata_rx_hash(ctx'));
    });
    it('kfunc-devbound is quiet without kfunc calls', () => {
      assert.deepEqual(codes(check(['meta_bounds_ok'], kernelA()), 'kfunc-devbound'), []);
    });
    it('kfunc-missing: rx_vlan_tag on a target without it says "appeared in Linux 6.8"', () => {
      const ds = codes(check(['kfunc_vlan'], kernelB()), 'kfunc-missing');
      assert.equal(ds.length, 1);
      assert.equal(ds[0]!.severity, 'error');
      assert.match(ds[0]!.message, /bpf_xdp_metadata_rx_vlan_tag\(\) is not in target BTF .*kernel_b.*appeared in Linux 6\.8/);
      assert.equal(ds[0]!.fix?.kind, 'declare-kfunc');
      assert.match((ds[0]!.fix as { declaration: string }).declaration, /__ksym __weak;$/);
    });
    it('kfunc-missing: rx_hash and rx_timestamp on a target without them say "appeared in Linux 6.3"', () => {
      // Any object's .BTF without kfuncs serves as a kernel from before 6.3.
      const ds = codes(check(['kfunc_hash'], fixture('meta_bounds_ok')), 'kfunc-missing');
      assert.deepEqual(ds.map((d) => d.message.match(/kfunc (\w+)\(\)/)?.[1]), ['bpf_xdp_metadata_rx_hash', 'bpf_xdp_metadata_rx_timestamp']);
      assert.ok(ds.every((d) => /appeared in Linux 6\.3;/.test(d.message)));
    });
    it('kfunc-missing for a __weak kfunc: info when guarded by bpf_ksym_exists(), warning when not', () => {
      const run = (extra: string[], target: string) =>
        codes(runCheck([{ objectPath: fixture('kfunc_weak', extra), sourcePath: sourceOf('kfunc_weak') }], { targetBtf: target }).diagnostics, 'kfunc-missing');
      const guarded = run(['-DGUARDED'], kernelB());
      assert.deepEqual(guarded.map((d) => d.severity), ['info']);
      assert.match(guarded[0]!.message, /guarded by an address test .*skips the call/);
      assert.equal(guarded[0]!.fix, undefined);
      const unguarded = run([], kernelB());
      assert.deepEqual(unguarded.map((d) => d.severity), ['warning']);
      assert.deepEqual(run(['-DGUARDED'], kernelA()), []);
    });
    it('kfunc-missing is quiet when the target has the kfunc (kernel A, the running kernel)', function () {
      assert.deepEqual(codes(check(['kfunc_vlan'], kernelA()), 'kfunc-missing'), []);
      assert.deepEqual(codes(check(['kfunc_hash'], kernelB()), 'kfunc-missing'), []);
      if (hasVmlinux) assert.deepEqual(codes(check(['kfunc_vlan']), 'kfunc-missing'), []);
    });
  });

  describe('API inputs', () => {
    it('accepts object bytes and a loaded target Btf, and names the label', () => {
      const { readFileSync } = require('node:fs') as typeof import('node:fs');
      const { readBtfFile } = require('../../../src/core/btf/load') as typeof import('../../../src/core/btf/load');
      const ds = runCheck([{ bytes: readFileSync(fixture('meta_bounds_short')), label: 'buffer.o', sourcePath: sourceOf('meta_bounds_short') }],
        { targetBtf: readBtfFile(kernelA()) }).diagnostics;
      assert.deepEqual(ds.map((d) => [d.code, d.file, d.line]), [['meta-bounds', sourceOf('meta_bounds_short'), lineOf('meta_bounds_short', 'meta->hash = 7')]]);
    });
    it('rejects corrupt objects with a FormatError naming the input', () => {
      assert.throws(() => runCheck([{ bytes: new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), label: 'junk.o' }], { targetBtf: kernelA() }),
        (e: Error) => e.name === 'FormatError' && /^junk\.o: at byte offset/.test(e.message));
      assert.throws(() => runCheck([], { targetBtf: kernelA() }), /no inputs/);
    });
  });

  describe('big-endian objects (bpfeb)', () => {
    it('reads DWARF, line info and instructions in either byte order', () => {
      const be = ['--target=bpfeb'];
      const ds = runCheck([
        { objectPath: fixture('meta_not_core_fire', be), sourcePath: sourceOf('meta_not_core_fire') },
        { objectPath: fixture('meta_bounds_short', be), sourcePath: sourceOf('meta_bounds_short') },
      ], { targetBtf: fixture('kernel_b', be) }).diagnostics;
      assert.deepEqual(ds.map((d) => [d.code, path.basename(d.file), d.line]), [
        ['meta-bounds', 'meta_bounds_short.bpf.c', lineOf('meta_bounds_short', 'meta->hash = 7')],
        ['meta-not-core', 'meta_not_core_fire.bpf.c', lineOf('meta_not_core_fire', 'meta->rx_hash & 1')],
        ['meta-not-core', 'meta_not_core_fire.bpf.c', lineOf('meta_not_core_fire', 'meta->rx_timestamp ?')],
      ]);
    });
  });

  describe('output stability', () => {
    it('is sorted and identical across runs', () => {
      const names = ['layout_producer', 'layout_consumer_diff', 'meta_bounds_none', 'kfunc_vlan'];
      const a = check(names, kernelB());
      const b = check(names, kernelB());
      assert.deepEqual(a, b);
      const keys = a.map((d) => `${d.file}\0${String(d.line).padStart(6, '0')}`);
      assert.deepEqual(keys, [...keys].sort((x, y) => x.localeCompare(y)));
      assert.ok(a.every((d) => d.line > 0 && path.isAbsolute(d.file)));
    });
  });
});
