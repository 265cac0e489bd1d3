// A real second host: Debian 6.12 in a microVM with sshd; the agent is uploaded over SSH and loads a metadata-kfunc program
// device-bound on the guest's veth (its kernel, not ours, verifies it).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../src/core/compile/arch';
import { AgentClient } from '../../src/core/remote/client';
import { AgentError } from '../../src/core/remote/errors';
import { startAgent } from '../../src/core/remote/transport';
import { GUEST_DEV } from '../../src/core/vm/initramfs';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { debianKernels, vmPrereqMissing } from '../helpers/kernels';
import { requirePrereq } from '../helpers/prereq';
import { hasSshd } from '../helpers/sshd';
import { startVmSshHost, type VmSshHost } from '../helpers/vm-ssh';

describe('remote: a microVM with another kernel as an SSH host', function () {
  this.timeout(240_000);
  let host: VmSshHost | undefined;
  let host61: VmSshHost | undefined;
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
    [host, host61] = await Promise.all([startVmSshHost(k612!), startVmSshHost(k61!)]);
  });
  after(async () => { await Promise.all([host?.stop(), host61?.stop()]); });

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
});
