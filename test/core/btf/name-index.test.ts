// Name index tests: findIdsByName / findIdsByEssentialName against a brute-force scan (hand-built, split, big-endian, vmlinux).
import { strict as assert } from 'node:assert';
import { BtfBuilder } from '../../../src/core/btf/builder';
import { parseBtf, readBtfFile } from '../../../src/core/btf/load';
import type { BtfModel } from '../../../src/core/btf/model';
import type { Btf, BtfKind } from '../../../src/core/btf/types';
import { essentialName, essentialNameLen } from '../../../src/core/core-relo/btf-util';
import { requirePrereq } from '../../helpers/prereq';
import { haveVmlinux, VMLINUX } from './fixtures';

/** The definition, by decoding every name: ids (base first, ascending) whose essential name is `ess`. */
function bruteEssential(btf: Btf, ess: string, kind?: BtfKind): number[] {
  const out: number[] = [];
  for (let id = 1; id < btf.count; id++) {
    const n = btf.nameOf(id);
    if (n !== '' && essentialName(n) === ess && (kind === undefined || btf.kindOf(id) === kind)) out.push(id);
  }
  return out;
}

function bruteExact(btf: Btf, name: string, kind?: BtfKind): number[] {
  const out: number[] = [];
  for (let id = 1; id < btf.count; id++) if (btf.nameOf(id) === name && (kind === undefined || btf.kindOf(id) === kind)) out.push(id);
  return out;
}

/** Names with flavors in every position libbpf's rule cares about. */
function flavoredBuilder(opts: ConstructorParameters<typeof BtfBuilder>[0] = {}): BtfBuilder {
  const b = new BtfBuilder(opts);
  const int = b.int('int', 4, { signed: true });
  const m = [{ name: 'x', typeId: int, bitOffset: 0 }];
  b.struct('xdp_md___v2', 4, m);
  b.struct('xdp_md', 4, m);
  b.struct('xdp_md___v1', 4, m);
  b.union('xdp_md___u', 4, m);
  b.typedef('xdp_md', int);
  b.struct('a___b', 4, m); // essential name 'a'
  b.struct('a___b___c', 4, m); // essential name 'a___b'
  b.struct('a____b', 4, m); // four underscores: no flavor
  b.struct('___x', 4, m); // no X before the separator
  b.struct('y___', 4, m); // no Y after it
  b.struct('p___q_', 4, m);
  b.enum('e___64', 4, [{ name: 'E1', value: 1 }]);
  b.enum64('e', 8, [{ name: 'E2', value: 1n << 40n }]);
  b.struct('naïve___ü', 4, m); // UTF-8 bytes around the separator
  // Functions are indexed apart from the other kinds: the same names across both partitions.
  const proto = b.funcProto(int, []);
  b.func('xdp_md', proto);
  b.func('xdp_md___f', proto);
  b.struct('after_funcs', 4, m);
  b.func('a___b', proto);
  return b;
}

const QUERIES = ['xdp_md', 'a', 'a___b', 'a____b', '___x', 'y___', 'p', 'e', 'naïve', 'int', 'missing', 'xdp_m', 'xdp_md_', 'after_funcs'];
const KINDS: (BtfKind | undefined)[] = [undefined, 'STRUCT', 'UNION', 'TYPEDEF', 'ENUM', 'ENUM64', 'FUNC', 'VOID'];

function agreesWithBruteForce(btf: Btf): void {
  for (const q of QUERIES) {
    for (const k of KINDS) {
      assert.deepEqual(btf.findIdsByEssentialName(q, k), bruteEssential(btf, q, k), `essential ${q} ${k}`);
      assert.deepEqual(btf.findIdsByName(q, k), bruteExact(btf, q, k), `exact ${q} ${k}`);
    }
  }
}

describe('core/btf name index', () => {
  it('finds names and essential names as libbpf compares them (both byte orders)', () => {
    for (const byteOrder of ['little', 'big'] as const) {
      const btf = flavoredBuilder({ byteOrder }).build();
      agreesWithBruteForce(btf);
      const ids = (names: string[]): number[] => names.map((n) => btf.findIdsByName(n)[0]!);
      assert.deepEqual(btf.findIdsByEssentialName('xdp_md', 'STRUCT'), ids(['xdp_md___v2', 'xdp_md', 'xdp_md___v1']));
      assert.deepEqual(btf.findIdsByEssentialName('a', 'STRUCT'), ids(['a___b']));
      assert.equal(btf.findIdsByEssentialName('a').length, 2); // the struct and the function
      assert.equal(btf.findByName('xdp_md')?.kind, 'STRUCT'); // the lowest id of either partition
      assert.equal(btf.findByName('xdp_md', 'FUNC')?.kind, 'FUNC');
      assert.deepEqual(btf.findIdsByEssentialName('a___b'), ids(['a___b___c']));
      assert.deepEqual(btf.findIdsByEssentialName('a____b'), ids(['a____b']));
      assert.deepEqual(btf.findIdsByEssentialName(''), []);
      assert.equal(btf.findByName('naïve___ü')?.kind, 'STRUCT');
      assert.equal(btf.findByName('xdp_md', 'TYPEDEF')?.kind, 'TYPEDEF');
      assert.equal(btf.findByName('xdp_md', 'VOID'), undefined);
    }
  });

  it('agrees with the string rule on every name it indexes', () => {
    const btf = flavoredBuilder().build();
    for (let id = 1; id < btf.count; id++) {
      const n = btf.nameOf(id);
      if (n === '') continue;
      assert.ok(btf.findIdsByEssentialName(n.slice(0, essentialNameLen(n))).includes(id), n);
    }
  });

  it('indexes split BTF whose names live in the base string section or its own', () => {
    const baseBuilder = flavoredBuilder();
    const base = baseBuilder.build('base');
    const b = new BtfBuilder({ base });
    const int = base.findByName('int')!.id;
    const m = [{ name: 'x', typeId: int, bitOffset: 0 }];
    // Every struct here is 6 words (btf_type + one btf_member); the first two get their names from the
    // base's string section below, as split BTF may do (the builder always adds its own strings).
    b.struct('placeholder1', 4, m);
    b.struct('placeholder2', 4, m);
    b.struct('xdp_md___mod', 4, m);
    b.struct('mod_only', 4, m);
    b.struct('a___b___c', 4, m);
    const bytes = b.encode();
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setUint32(24 + 0 * 24, baseBuilder.str('xdp_md___v2'), true);
    view.setUint32(24 + 1 * 24, baseBuilder.str('xdp_md'), true);
    const split = parseBtf(bytes, 'split', { base });
    assert.equal(split.nameOf(split.startId), 'xdp_md___v2');
    agreesWithBruteForce(split);
    const own = split.findIdsByEssentialName('xdp_md').filter((id) => id >= split.startId);
    assert.deepEqual(own.map((id) => split.nameOf(id)), ['xdp_md___v2', 'xdp_md', 'xdp_md___mod']);
    assert.deepEqual(split.findIdsByName('mod_only', 'STRUCT'), [split.startId + 3]);
    assert.deepEqual(split.findIdsByName('xdp_md', 'STRUCT'), [base.findIdsByName('xdp_md', 'STRUCT')[0], split.startId + 1]);
  });

  it('matches a brute-force scan of vmlinux without decoding a type', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    this.timeout(60_000);
    const btf = readBtfFile(VMLINUX);
    const flavored = new Set<string>();
    for (let id = 1; id < btf.count; id++) {
      const n = btf.nameOf(id);
      if (essentialNameLen(n) < n.length) flavored.add(essentialName(n));
    }
    const queries = [...flavored, 'xdp_md', 'sk_buff', 'task_struct', 'bpf_xdp_metadata_rx_hash', '__u32', 'no_such_type'];
    for (const q of queries) {
      assert.deepEqual(btf.findIdsByEssentialName(q), bruteEssential(btf, q), q);
      assert.deepEqual(btf.findIdsByName(q), bruteExact(btf, q), q);
    }
    assert.equal((btf as BtfModel).decodedCount, 0);
  });
});
