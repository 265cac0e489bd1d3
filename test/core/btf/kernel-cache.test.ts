// The kernel BTF cache: a restored BTF has the same bytes and answers exactly as a freshly read one, and a changed file is a miss.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BtfBuilder } from '../../../src/core/btf/builder';
import { dumpC } from '../../../src/core/btf/c-dump';
import { restoreKernelBtf, saveKernelBtf } from '../../../src/core/btf/kernel-cache';
import { readBtfFile } from '../../../src/core/btf/load';
import { BtfModel } from '../../../src/core/btf/model';
import type { BtfKind } from '../../../src/core/btf/types';
import { requirePrereq } from '../../helpers/prereq';
import { haveVmlinux, VMLINUX } from './fixtures';

const model = (file: string): BtfModel => {
  const b = readBtfFile(file);
  assert.ok(b instanceof BtfModel);
  return b;
};

/** The lookups the check and CO-RE make, as [name, kind] pairs with essential-name variants. */
function answers(btf: BtfModel, names: [string, BtfKind | undefined][]): unknown[] {
  return names.flatMap(([n, k]) => [btf.findIdsByName(n, k), btf.findIdsByEssentialName(n, k)]);
}

describe('core/btf/kernel-cache', () => {
  let dir: string;
  const saved = process.env.XDP_META_CACHE_DIR;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'btf-kernel-cache-'));
    process.env.XDP_META_CACHE_DIR = path.join(dir, 'cache');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.XDP_META_CACHE_DIR;
    else process.env.XDP_META_CACHE_DIR = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('restores a BTF that answers as a fresh one, and misses once the file changes', () => {
    const b = new BtfBuilder();
    const int = b.int('int', 4, { signed: true });
    b.enum('meta_kind', 4, [{ name: 'A', value: 1 }]);
    b.enum('meta_kind___v2', 4, [{ name: 'B', value: 2 }]);
    b.func('meta_fn', b.funcProto(int, []));
    const file = path.join(dir, 'vmlinux');
    writeFileSync(file, b.encode());
    const names: [string, BtfKind | undefined][] = [['int', 'INT'], ['meta_kind', 'ENUM'], ['meta_kind', undefined], ['meta_fn', 'FUNC'], ['nope', undefined]];
    const fresh = model(file);
    assert.equal(restoreKernelBtf(file), undefined, 'an empty cache is a miss');
    const expected = answers(fresh, names);
    saveKernelBtf(fresh, file);
    const again = restoreKernelBtf(file);
    assert.ok(again);
    assert.equal(again.source, file);
    assert.deepEqual(answers(again, names), expected);
    assert.deepEqual(Buffer.from(again.wire.bytes), Buffer.from(fresh.wire.bytes));
    assert.deepEqual([...again.wire.wordIdx], [...fresh.wire.wordIdx]);
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // same bytes, but no longer known to be
    assert.equal(restoreKernelBtf(file), undefined);
    saveKernelBtf(model(file), file);
    assert.ok(restoreKernelBtf(file));
    writeFileSync(path.join(dir, 'cache', 'kernel-btf.bin'), 'XMBTF2\n\0torn');
    assert.equal(restoreKernelBtf(file), undefined);
  });

  it('gives vmlinux the same answers and the same C header from the cache', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    const file = path.join(dir, 'vmlinux');
    copyFileSync(VMLINUX, file);
    const names: [string, BtfKind | undefined][] = [['xdp_md', 'STRUCT'], ['bpf_xdp_adjust_meta', 'FUNC'], ['task_struct', undefined],
      ['bpf_xdp_metadata_rx_timestamp', 'FUNC'], ['sk_buff', 'STRUCT'], ['u32', 'TYPEDEF'], ['no_such_type', undefined]];
    const fresh = model(file);
    const expected = answers(fresh, names);
    saveKernelBtf(fresh, file);
    const again = restoreKernelBtf(file);
    assert.ok(again);
    assert.deepEqual(answers(again, names), expected);
    assert.ok(dumpC(again) === dumpC(model(file)), 'the same vmlinux.h');
  });
});
