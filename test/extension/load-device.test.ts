// Which interface a metadata-kfunc program is bound to for a local verifier load: the setting, the only usable one, or a pick.
import { strict as assert } from 'node:assert';
import type { ProbeInterface } from '../../src/core/remote/protocol';
import { installVscodeStub } from './vscode-stub';

installVscodeStub();
/* eslint-disable @typescript-eslint/no-require-imports */
const { chooseLoadDevice, deviceQuickPickItems } = require('../../src/extension/load-device') as typeof import('../../src/extension/load-device');

// As the agent's probe reported them on the test VM (6.18): lo and ifb cannot be bound (no ndo_bpf), virtio_net can.
const lo: ProbeInterface = { name: 'lo', ifindex: 1, xdp_features: [], xdp_rx_metadata_features: [] };
const ifb0: ProbeInterface = { name: 'ifb0', ifindex: 2, driver: 'ifb', xdp_features: [], xdp_rx_metadata_features: [] };
const eth0: ProbeInterface = { name: 'eth0', ifindex: 4, driver: 'virtio_net', xdp_features: ['basic', 'redirect'], xdp_rx_metadata_features: [] };
const veth: ProbeInterface = { name: 'veth9', ifindex: 9, driver: 'veth', xdp_features: ['basic'], xdp_rx_metadata_features: ['timestamp', 'hash', 'vlan-tag'] };
const host = 'this machine';

describe('load device choice', () => {
  it('a program without metadata kfuncs loads unbound, whatever is configured', () => {
    assert.deepEqual(chooseLoadDevice({ callsMetadataKfuncs: false, configured: 'eth0', interfaces: [eth0], host }), { kind: 'unbound' });
  });

  it('the defaultInterface setting wins, when the host has it (or its interfaces are unknown)', () => {
    assert.deepEqual(chooseLoadDevice({ callsMetadataKfuncs: true, configured: ' eth0 ', interfaces: [lo, eth0, veth], host }),
      { kind: 'use', dev: 'eth0', reason: 'the defaultInterface setting' });
    assert.deepEqual(chooseLoadDevice({ callsMetadataKfuncs: true, configured: 'eth0', host }),
      { kind: 'use', dev: 'eth0', reason: 'the defaultInterface setting' });
    const bad = chooseLoadDevice({ callsMetadataKfuncs: true, configured: 'eth7', interfaces: [lo, eth0], host });
    assert.equal(bad.kind, 'error');
    assert.match((bad as { message: string }).message, /'eth7', which is not an interface on this machine \(it has: lo, eth0\)/);
  });

  it('without a setting: the only interface whose driver does native XDP is used', () => {
    assert.deepEqual(chooseLoadDevice({ callsMetadataKfuncs: true, interfaces: [lo, ifb0, eth0], host }),
      { kind: 'use', dev: 'eth0', reason: 'the only interface with native XDP on this machine' });
  });

  it('several candidates: ask, rx-metadata drivers first, loopback last; no usable one is an error', () => {
    const c = chooseLoadDevice({ callsMetadataKfuncs: true, interfaces: [eth0, veth, ifb0], host });
    assert.equal(c.kind, 'ask');
    assert.deepEqual((c as { candidates: ProbeInterface[] }).candidates.map((i) => i.name), ['veth9', 'eth0']);
    // Old kernels have no xdp_features: every interface is offered, lo last.
    const old = chooseLoadDevice({ callsMetadataKfuncs: true, interfaces: [{ name: 'lo', ifindex: 1 }, { name: 'eth0', ifindex: 2 }], host });
    assert.deepEqual((old as { candidates: ProbeInterface[] }).candidates.map((i) => i.name), ['eth0', 'lo']);
    const none = chooseLoadDevice({ callsMetadataKfuncs: true, interfaces: [lo, ifb0], host });
    assert.equal(none.kind, 'error');
    assert.match((none as { message: string }).message, /no interface on this machine has a driver with native XDP \(lo, ifb0\)/);
    assert.equal(chooseLoadDevice({ callsMetadataKfuncs: true, host }).kind, 'error');
  });

  it('quick pick rows name the driver and the rx metadata it provides', () => {
    const items = deviceQuickPickItems([veth, eth0]);
    assert.deepEqual(items.map((i) => [i.dev, i.label, i.description]), [['veth9', 'veth9', 'veth · ifindex 9'], ['eth0', 'eth0', 'virtio_net · ifindex 4']]);
    assert.equal(items[0].detail, 'rx metadata: timestamp, hash, vlan-tag');
    assert.match(items[1].detail!, /return -EOPNOTSUPP/);
  });
});
