// A real second host: Debian 6.12 and 6.1 in microVMs with sshd; the agent is uploaded over SSH, loads and `xdp-meta run`s
// metadata-kfunc programs on the guest's veth (its kernel, not ours, verifies them), with traffic sent inside the guest.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { multiarchIncludeDir } from '../../src/core/compile/arch';
import { AgentClient } from '../../src/core/remote/client';
import { AgentError } from '../../src/core/remote/errors';
import type { ProbeInterface } from '../../src/core/remote/protocol';
import type { LiveRow } from '../../src/core/remote/session';
import { startAgent } from '../../src/core/remote/transport';
import { GUEST_DEV } from '../../src/core/vm/initramfs';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { debianKernels, vmPrereqMissing } from '../helpers/kernels';
import { requirePrereq } from '../helpers/prereq';
import { hasSshd } from '../helpers/sshd';
import { startVmSshHost, type VmSshHost } from '../helpers/vm-ssh';

const ROOT = path.resolve(__dirname, '../..');
const TEMPLATE = path.join(ROOT, 'bpf-templates/af-xdp-hints/af_xdp_hints.bpf.c');
/**
 * veth0 (xm0's peer) gets an address: broadcast pings from it leave through veth0 and arrive on xm0's XDP hook, on 6.1
 * and 6.12 alike (busybox has no `ip netns`). IPv6 is off on veth0 so its router solicitations do not come first.
 */
const PEER_NET = { addr: '10.99.0.1/24', broadcast: '10.99.0.255' };
const TRAFFIC = `ping -c 40 -i 0.05 -W 1 ${PEER_NET.broadcast} >/dev/null 2>&1; true`;

interface CliRun { code: number | null; rows: LiveRow[]; stderr: string }

/** The CLI as shipped (bundled like scripts/build.mjs does) in a private folder: dist/ is rebuilt by other jobs meanwhile. */
function bundleCli(): { path: string; cleanup: () => void } {
  const dir = path.join(ROOT, '.cache', `vm-host-cli-${process.pid}`);
  const out = path.join(dir, 'cli.js');
  buildSync({ entryPoints: [path.join(ROOT, 'src/cli/main.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' });
  return { path: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `xdp-meta run INPUT --host <guest> --dev xm0 --json ...`; `whenAttached` runs once the CLI says the program is attached. */
function runOnGuest(cli: string, h: VmSshHost, args: string[], whenAttached?: () => void, timeoutMs = 150_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'run', ...args, '--host', h.alias, '--ssh-config', h.configFile, '--dev', GUEST_DEV, '--json'], { cwd: ROOT });
    let out = '';
    let err = '';
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`xdp-meta run on ${h.alias} timed out; stderr:\n${err}`)); }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      const before = err;
      err += d;
      if (whenAttached && !/ attached to /.test(before) && / attached to /.test(err)) whenAttached();
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: err, rows: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LiveRow) });
    });
  });
}

/** xm0 as the guest's own agent sees it after a run (a fresh connection: nothing of the run's agent is left to hold a link). */
async function guestDev(h: VmSshHost): Promise<ProbeInterface> {
  const client = await AgentClient.connect(await startAgent({ kind: 'ssh', host: h.alias, configFile: h.configFile }));
  try {
    const dev = (await client.request({ op: 'probe' })).interfaces.find((i) => i.name === GUEST_DEV);
    assert.ok(dev, `${h.alias} still has ${GUEST_DEV}`);
    return dev;
  } finally {
    await client.close();
  }
}

/**
 * Nothing attached to xm0 in the guest: no uploaded agent still runs there (its bpf_link would keep the program), and a
 * fresh agent's probe (netlink, bpf_xdp_query) sees no XDP program. busybox's `ip link` prints no XDP state to check.
 */
async function assertNothingAttached(h: VmSshHost): Promise<void> {
  const ps = await h.sh('ps -o pid,args');
  assert.doesNotMatch(ps, /\.cache\/xdp-meta\/agent-/, `${h.alias}: the run's agent is still running:\n${ps}`);
  const dev = await guestDev(h);
  assert.ok(dev.xdp, `${h.alias}: the probe reports ${GUEST_DEV}'s XDP state`);
  assert.deepEqual({ mode: dev.xdp.mode, prog: dev.xdp.prog_id }, { mode: 'none', prog: 0 }, `${h.alias}: an XDP program is still attached to ${GUEST_DEV}`);
}

describe('remote: a microVM with another kernel as an SSH host', function () {
  this.timeout(240_000);
  let host: VmSshHost | undefined;
  let host61: VmSshHost | undefined;
  let cli: { path: string; cleanup: () => void } | undefined;
  const { k61, k612 } = debianKernels();
  const object = (name: string): string =>
    buildBpfObject(path.resolve(__dirname, `../fixtures/matrix/${name}.bpf.c`), { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] });

  before(async function () {
    const missing = vmPrereqMissing();
    requirePrereq(this, !missing, missing ?? '');
    requirePrereq(this, hasSshd(), 'OpenSSH (sshd, ssh, ssh-keygen)');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, !!k612 && !!k61, 'Debian 6.1 and 6.12 cloud kernel packages in apt');
    // Both guests boot at once (one core each).
    cli = bundleCli();
    [host, host61] = await Promise.all([startVmSshHost(k612!), startVmSshHost(k61!)]);
    await Promise.all([host, host61].map((h) => h!.sh(`echo 1 >/proc/sys/net/ipv6/conf/veth0/disable_ipv6 && ip addr add ${PEER_NET.addr} dev veth0`)));
  });
  after(async () => {
    cli?.cleanup();
    await Promise.all([host?.stop(), host61?.stop()]);
  });

  it('uploads the agent over SSH; the guest\'s 6.12 verifier accepts rx_hash device-bound on its veth', async () => {
    const obj = object('rx_hash_meta');
    const client = await AgentClient.connect(await startAgent({ kind: 'ssh', host: host!.alias, configFile: host!.configFile }));
    try {
      assert.match(client.hello?.kernel ?? '', /^6\.12\.\d+\+deb12-cloud-amd64$/);
      const probe = await client.request({ op: 'probe' });
      const dev = probe.interfaces.find((i) => i.name === GUEST_DEV);
      assert.ok(dev, `the guest has ${GUEST_DEV}: ${probe.interfaces.map((i) => i.name)}`);
      assert.ok(probe.interfaces.some((i) => i.name === 'eth0'), 'virtio-net from the package\'s virtio_net module');
      const load = await client.request({ op: 'load', object: readFileSync(obj).toString('base64'), program: 'rx_hash_meta', dev_bound: 'auto', ifindex: dev.ifindex, log_level: 1 });
      assert.equal(load.dev_bound, true);
      assert.match(load.log, /processed \d+ insns/);
      await client.request({ op: 'unload', prog: load.prog });
    } finally {
      await client.close();
    }
  });

  it('6.1 over SSH: a plain program loads; the metadata kfunc is refused with a clear error naming it', async () => {
    const client = await AgentClient.connect(await startAgent({ kind: 'ssh', host: host61!.alias, configFile: host61!.configFile }));
    try {
      assert.match(client.hello?.kernel ?? '', /^6\.1\.0-\d+-cloud-amd64$/);
      const ok = await client.request({ op: 'load', object: readFileSync(object('meta_ok')).toString('base64'), program: 'meta_ok', dev_bound: 'no', log_level: 1 });
      await client.request({ op: 'unload', prog: ok.prog });
      const probe = await client.request({ op: 'probe' });
      const dev = probe.interfaces.find((i) => i.name === GUEST_DEV)!;
      assert.ok(probe.interfaces.some((i) => i.name === 'eth0'), 'virtio-net on 6.1 through the package\'s virtio modules');
      await assert.rejects(
        client.request({ op: 'load', object: readFileSync(object('rx_hash_meta')).toString('base64'), program: 'rx_hash_meta', dev_bound: 'yes', ifindex: dev.ifindex, log_level: 1 }),
        (e: unknown) => e instanceof AgentError && e.code === 'load_failed' && /bpf_xdp_metadata_rx_hash/.test(`${e.message}\n${e.libbpfLog ?? ''}`));
    } finally {
      await client.close();
    }
  });

  it('6.12: `xdp-meta run` of the af-xdp-hints template over SSH: rx_hash rows from the guest\'s veth, decoded; nothing left attached', async () => {
    const peerMac = (await host!.sh('cat /sys/class/net/veth0/address')).trim().replace(/:/g, '');
    let traffic: Promise<string> | undefined;
    const r = await runOnGuest(cli!.path, host!, [TEMPLATE, '--count', '3', '--duration', '90'], () => { traffic = host!.sh(`ps -o pid,args; ${TRAFFIC}`); });
    assert.equal(r.code, 0, r.stderr);
    // While attached, the uploaded agent runs in the guest (what assertNothingAttached then looks for).
    assert.match(await traffic!, /\.cache\/xdp-meta\/agent-/);
    assert.match(r.stderr, /checking the kfuncs against xdpmeta-vm-6\.12's kernel BTF/);
    assert.match(r.stderr, /xdp_hints_to_xsk attached to xm0 \(ifindex \d+\) on xdpmeta-vm-6\.12 \[6\.12\.\d+\+deb12-cloud-amd64\], native, device-bound; capture: compile-time-wrapper/);
    assert.equal(r.rows.length, 3, r.stderr);
    const ifindex = Number(/attached to xm0 \(ifindex (\d+)\)/.exec(r.stderr)![1]);
    for (const row of r.rows) {
      // No AF_XDP socket is bound in the guest: bpf_redirect_map falls back to XDP_PASS with the metadata in place.
      assert.equal(row.verdict, 'XDP_PASS', JSON.stringify(row));
      assert.equal(row.ifindex, ifindex);
      assert.equal(row.struct, 'xdp_hints_meta', JSON.stringify(row));
      assert.equal(typeof row.fields?.rx_hash, 'number');
      assert.notEqual(row.fields?.rx_hash, 0, JSON.stringify(row));
      // The broadcast pings from veth0: Ethernet broadcast from veth0's address, IPv4, ICMP.
      assert.equal(row.head_hex.slice(0, 24), `ffffffffffff${peerMac}`, row.head_hex);
      assert.equal(row.head_hex.slice(24, 28), '0800');
      assert.equal(row.head_hex.slice(46, 48), '01');
    }
    assert.match(r.stderr, /detached/);
    await assertNothingAttached(host!);
  });

  it('6.1: `xdp-meta run` refuses before loading with kfunc-missing naming the kfunc and the host; --force shows the host\'s own refusal', async () => {
    const r = await runOnGuest(cli!.path, host61!, [TEMPLATE, '--count', '1', '--duration', '30']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(r.rows, []);
    assert.match(r.stderr, /xdpmeta-vm-6\.1: kfunc-missing: kernel 6\.1\.0-\d+-cloud-amd64 lacks bpf_xdp_metadata_rx_timestamp, bpf_xdp_metadata_rx_hash, bpf_xdp_metadata_rx_vlan_tag; nothing was loaded\n/);
    assert.match(r.stderr, /\n {2}\S*af_xdp_hints\.bpf\.c:\d+: kfunc bpf_xdp_metadata_rx_hash\(\) is not in target BTF xdpmeta-vm-6\.1:\/sys\/kernel\/btf\/vmlinux; it appeared in Linux 6\.3/);
    assert.match(r.stderr, /\nxdpmeta-vm-6\.1: pass --force to load anyway/);
    assert.doesNotMatch(r.stderr, /attached to|\bat .+:\d+:\d+\)/);

    const f = await runOnGuest(cli!.path, host61!, [TEMPLATE, '--count', '1', '--duration', '30', '--force']);
    assert.equal(f.code, 1, f.stderr);
    assert.match(f.stderr, /--force: loading despite kfunc-missing \(bpf_xdp_metadata_\w+(, bpf_xdp_metadata_\w+)* not in kernel 6\.1\.0-/);
    // libbpf on the host resolves the kfunc against its kernel's BTF before the verifier sees anything, and names it.
    assert.match(f.stderr, /xdp-meta run: libbpf on xdpmeta-vm-6\.1: extern \(func ksym\) 'bpf_xdp_metadata_rx_hash': not found in kernel or module BTFs\n/);
    assert.match(f.stderr, /error: xdpmeta-vm-6\.1: load: libbpf could not load program xdp_hints_to_xsk/);
    assert.doesNotMatch(f.stderr, /attached to|\bat .+:\d+:\d+\)/);
    await assertNothingAttached(host61!);
  });

  it('6.1: `xdp-meta run` of tc-meta-magic over SSH: the capture wrapper passes 6.1\'s verifier, rows over its ringbuf; TC needs tcx', async () => {
    const magic = path.join(ROOT, 'bpf-templates/tc-meta-magic/tc_meta_magic.bpf.c');
    let traffic: Promise<string> | undefined;
    const r = await runOnGuest(cli!.path, host61!, [magic, '--count', '3', '--duration', '90'], () => { traffic = host61!.sh(TRAFFIC); });
    await traffic;
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /checking the kfuncs/, 'no kfunc: no BTF fetched');
    assert.match(r.stderr, /xdp_write_meta attached to xm0 \(ifindex (\d+)\) on xdpmeta-vm-6\.1 \[6\.1\.0-\d+-cloud-amd64\], native; capture: compile-time-wrapper/);
    const ifindex = Number(/attached to xm0 \(ifindex (\d+)\)/.exec(r.stderr)![1]);
    assert.equal(r.rows.length, 3, r.stderr);
    for (const row of r.rows) {
      assert.equal(row.verdict, 'XDP_PASS');
      assert.equal(row.struct, 'meta_magic', JSON.stringify(row));
      assert.equal(row.fields?.magic, 0xC0FFEE42);
      assert.equal(row.fields?.ifindex, ifindex);
      assert.equal(row.head_hex.length, 2 * Math.min(64, row.pkt_len), 'the packet head (bpf_xdp_load_bytes, the snap of 64)');
    }
    // tcx (the TC hook's bpf_link) came in 6.6: refused by name, nothing attached.
    const tc = await runOnGuest(cli!.path, host61!, [magic, '--prog', 'tc_read_meta', '--count', '1', '--duration', '30']);
    assert.equal(tc.code, 1, tc.stderr);
    assert.match(tc.stderr, /xdpmeta-vm-6\.1: attach: cannot attach tc_read_meta in tc mode to ifindex \d+: tcx needs kernel 6\.6 or newer/);
    await assertNothingAttached(host61!);
  });
});
