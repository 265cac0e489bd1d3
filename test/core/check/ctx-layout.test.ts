// The ctx offsets the interpreter relies on match the running kernel's uapi structs in vmlinux BTF.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { kernelBtf } from '../../../src/core/btf/load';
import { layoutFromBtf, SKB_LAYOUT, XDP_LAYOUT } from '../../../src/core/check';
import { layoutForSection } from '../../../src/core/check/ctx-layout';
import { requirePrereq } from '../../helpers/prereq';

describe('check ctx layouts', () => {
  it('xdp_md and __sk_buff data/data_end/data_meta offsets agree with vmlinux BTF', function () {
    requirePrereq(this, existsSync('/sys/kernel/btf/vmlinux'), '/sys/kernel/btf/vmlinux');
    const btf = kernelBtf();
    assert.deepEqual(layoutFromBtf(btf, 'xdp_md'), XDP_LAYOUT);
    assert.deepEqual(layoutFromBtf(btf, '__sk_buff'), SKB_LAYOUT);
  });
  it('picks the layout from libbpf section names', () => {
    assert.equal(layoutForSection('xdp'), XDP_LAYOUT);
    assert.equal(layoutForSection('xdp.frags/devmap'), XDP_LAYOUT);
    assert.equal(layoutForSection('tc'), SKB_LAYOUT);
    assert.equal(layoutForSection('tcx/ingress'), SKB_LAYOUT);
    assert.equal(layoutForSection('classifier'), SKB_LAYOUT);
    assert.equal(layoutForSection('kprobe/foo'), undefined);
  });
});
