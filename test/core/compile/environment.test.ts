import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import {
  bpffsMounted, CAP_BPF, CAP_NET_ADMIN, checkEnvironment, hasCap, parseCapEff,
} from '../../../src/core/compile/environment';
import { findLibbpfHeaders } from '../../../src/core/compile/libbpf-headers';
import { listTemplates } from '../../../src/core/compile/templates';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

const status = (caps: bigint): string => `Name:\tnode\nCapInh:\t0000000000000000\nCapEff:\t${caps.toString(16).padStart(16, '0')}\n`;

describe('core/compile/environment', () => {
  it('parses CapEff and tests capability bits', () => {
    const mask = parseCapEff(status((1n << BigInt(CAP_BPF)) | (1n << BigInt(CAP_NET_ADMIN))));
    assert.ok(mask !== undefined && hasCap(mask, CAP_BPF) && hasCap(mask, CAP_NET_ADMIN));
    assert.equal(parseCapEff('Name: x\n'), undefined);
    assert.equal(parseCapEff('CapEff:\t000001fffeffffff\n'), 0x1fffeffffffn);
  });

  it('finds a bpf mount in /proc/mounts text', () => {
    assert.ok(bpffsMounted('sysfs /sys sysfs rw 0 0\nbpf /sys/fs/bpf bpf rw,relatime 0 0\n'));
    assert.ok(!bpffsMounted('sysfs /sys sysfs rw 0 0\nnone /sys/fs/bpf tmpfs rw 0 0\n'));
  });

  it('gives plain verdicts for missing pieces', async () => {
    const checks = await checkEnvironment({
      clang: '/nonexistent/clang', pathEnv: '', btfPath: '/nonexistent/vmlinux',
      procStatus: status(0n), procMounts: '', uid: 1000,
    });
    const by = Object.fromEntries(checks.map((c) => [c.id, c]));
    assert.equal(by.clang.status, 'missing');
    assert.match(by.clang.fix ?? '', /apt-get install clang-19/);
    assert.equal(by.bpftool.status, 'missing');
    assert.equal(by['kernel-btf'].status, 'missing');
    assert.equal(by.bpffs.status, 'warning');
    assert.match(by.bpffs.fix ?? '', /mount -t bpf bpf \/sys\/fs\/bpf/);
    assert.equal(by.privileges.status, 'warning');
    assert.match(by.privileges.detail, /uid 1000 lacks CAP_BPF and CAP_NET_ADMIN/);
  });

  it('accepts CAP_BPF+CAP_NET_ADMIN without root', async () => {
    const checks = await checkEnvironment({ procStatus: status((1n << 39n) | (1n << 12n)), uid: 1000 });
    const priv = checks.find((c) => c.id === 'privileges')!;
    assert.equal(priv.status, 'ok');
    assert.match(priv.detail, /CAP_BPF\+CAP_NET_ADMIN/);
  });

  it('finds clang, kernel BTF and libbpf headers on this machine', async function () {
    requirePrereq(this, hasClang() && existsSync('/sys/kernel/btf/vmlinux'), 'clang-19 and /sys/kernel/btf/vmlinux');
    const by = Object.fromEntries((await checkEnvironment()).map((c) => [c.id, c]));
    assert.equal(by.clang.status, 'ok');
    assert.match(by.clang.detail, /clang/);
    assert.equal(by['kernel-btf'].status, 'ok');
    assert.match(by['kernel-btf'].detail, /rx_hash, rx_timestamp, rx_vlan_tag/);
    const h = findLibbpfHeaders();
    requirePrereq(this, h.includeDir !== undefined, 'libbpf-dev');
    assert.equal(by['libbpf-headers'].status, 'ok');
    assert.ok(h.uapiHeaders);
  });

  it('lists the project templates', () => {
    const ts = listTemplates(path.resolve(__dirname, '../../../bpf-templates'));
    assert.deepEqual(ts.map((t) => t.name), ['af-xdp-hints', 'tc-meta-magic', 'xdp-hints-core']);
    for (const t of ts) {
      assert.ok(t.title.length > 0 && t.summary.length > 20, t.name);
      assert.ok(t.sources.length >= 1);
    }
    assert.deepEqual(listTemplates('/nonexistent'), []);
  });
});
