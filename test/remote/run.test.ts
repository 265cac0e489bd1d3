// Remote run end to end: sshd on 127.0.0.1, a veth pair into a namespace, templates through `xdp-meta run`, faults and bad input.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findAgentBinary } from '../../src/core/remote/agent-binary';
import { buildCaptureObject } from '../../src/core/remote/capture-wrap';
import { AgentClient } from '../../src/core/remote/client';
import { AgentError, RemoteError } from '../../src/core/remote/errors';
import { LiveCapture, typeInfo, type LiveRow } from '../../src/core/remote/session';
import { parseElf } from '../../src/core/elf';
import { startAgent, type Target } from '../../src/core/remote/transport';
import { hasClang } from '../helpers/clang';
import { createVethNs, waitClean, type VethNs } from '../helpers/netns';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { runCapture } from '../helpers/run-capture';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';

const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'test/fixtures/remote');
const TEMPLATES = path.join(ROOT, 'bpf-templates');
const OUR_PROGS = ['tc_read_meta', 'xdp_write_meta', 'xdp_rx_hash', 'xdp_hints_to_xsk', 'xdp_alternate', 'xdp_meta_magic'];

function buildAgent(): boolean {
  try {
    execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}


/** Resolves with the rows seen once `n` arrived, or with what came within 10 s (the caller's assertions say what is missing). */
function collectRows(s: LiveCapture, n: number): Promise<LiveRow[]> {
  const rows: LiveRow[] = [];
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(rows), 10_000);
    s.on('rows', (b) => {
      rows.push(...b);
      if (rows.length >= n) { clearTimeout(timer); resolve(rows); }
    });
  });
}

describe('remote run over SSH (sshd on 127.0.0.1, veth into a namespace)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let net: VethNs;
  let target: Target;

  before(async function () {
    requirePrereq(this, isRoot, 'root (BPF, netns)');
    requirePrereq(this, hasSshd(), '/usr/sbin/sshd and the OpenSSH client');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, buildAgent(), 'the agent builds (make -C agent: libbpf-dev libelf-dev zlib1g-dev libzstd-dev)');
    sshd = await startSshd();
    net = createVethNs();
    target = { kind: 'ssh', host: sshd.alias, configFile: sshd.configFile };
  });

  after(async () => {
    net?.destroy();
    await sshd?.stop();
  });

  afterEach(async function () {
    if (!net) return;
    const left = await waitClean(net.hostIf, OUR_PROGS);
    assert.deepEqual(left, [], `left attached after "${this.currentTest?.title}"`);
  });

  const sshArgs = () => ['--host', sshd.alias, '--ssh-config', sshd.configFile, '--dev', net.hostIf, '--json'];

  it('tc-meta-magic: the magic number decoded from data_meta', async () => {
    const r = await runCapture([path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'), ...sshArgs(), '--count', '3', '--duration', '30'],
      () => net.sendUdp(5));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.rows.length, 3, r.stderr);
    for (const row of r.rows) {
      assert.equal(row.verdict, 'XDP_PASS');
      assert.equal(row.meta_len, 16);
      assert.equal(row.struct, 'meta_magic');
      assert.equal(row.fields?.magic, 0xC0FFEE42);
      assert.equal(row.fields?.ifindex, net.hostIfindex());
      assert.equal(row.ifindex, net.hostIfindex());
      // The packet head (bpf_xdp_load_bytes): the default snap of 64 bytes, an IPv4 or ARP ethertype at 12.
      assert.equal(row.head_hex.length, 2 * Math.min(64, row.pkt_len));
      assert.match(row.head_hex.slice(24, 28), /^080[06]$/);
    }
    assert.match(r.stderr, /capture: compile-time-wrapper/);
    assert.match(r.stderr, /detached/);
  });

  it('tc-meta-magic at an ifindex equal to the BTF id of another 16-byte struct: still meta_magic', async () => {
    // The ifindex is the last 4 bytes of meta_magic; it once picked the struct with that BTF id (a .maps definition).
    const b = await buildCaptureObject(path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'));
    const elf = parseElf(readFileSync(b.objectPath), b.objectPath);
    const btf = typeInfo(b.objectPath, elf).btf!;
    const used = new Set(readdirSync('/sys/class/net').map((n) => Number(readFileSync(`/sys/class/net/${n}/ifindex`, 'utf8'))));
    const ids = [...Array(btf.count).keys()].filter((i) => i > 0 && btf.kindOf(i) === 'STRUCT' && btf.sizeof(btf.typeById(i)) === 16 && !used.has(i));
    assert.ok(ids.length, 'a free ifindex equal to the id of a 16-byte struct');
    const colliding = createVethNs({ hostIndex: ids[0] });
    try {
      assert.equal(colliding.hostIfindex(), ids[0]);
      const r = await runCapture([path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'), '--host', sshd.alias, '--ssh-config', sshd.configFile,
        '--dev', colliding.hostIf, '--json', '--count', '3', '--duration', '30'], () => colliding.sendUdp(5));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.rows.length, 3, r.stderr);
      for (const row of r.rows) {
        assert.equal(row.struct, 'meta_magic', JSON.stringify(row));
        assert.equal(row.fields?.ifindex, ids[0]);
      }
      assert.deepEqual(await waitClean(colliding.hostIf, OUR_PROGS), []);
    } finally {
      colliding.destroy();
    }
  });

  it('a device-bound program: non-zero rx_hash from veth', async () => {
    const r = await runCapture([path.join(FIX, 'rx_hash.bpf.c'), ...sshArgs(), '--count', '2', '--duration', '30'], () => net.sendUdp(4));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.rows.length, 2);
    assert.match(r.stderr, /device-bound/);
    for (const row of r.rows) {
      assert.equal(row.struct, 'rx_hints');
      assert.equal(typeof row.fields?.rx_hash, 'number');
      assert.notEqual(row.fields?.rx_hash, 0);
    }
  });

  it('af-xdp-hints: runs device-bound and decodes the rx_hash the kfunc wrote', async () => {
    const r = await runCapture([path.join(TEMPLATES, 'af-xdp-hints/af_xdp_hints.bpf.c'), ...sshArgs(), '--count', '2', '--duration', '30'],
      () => net.sendUdp(4));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.rows.length, 2);
    assert.match(r.stderr, /device-bound/);
    for (const row of r.rows) {
      // No AF_XDP socket is bound, so bpf_redirect_map falls back to XDP_PASS with the metadata in place.
      assert.equal(row.verdict, 'XDP_PASS');
      assert.equal(row.struct, 'xdp_hints_meta');
      assert.notEqual(row.fields?.rx_hash, 0, JSON.stringify(row));
    }
  });

  it('captures every verdict (XDP_DROP too), with counters', async () => {
    const s = await LiveCapture.start({ target, dev: net.hostIf, input: path.join(FIX, 'drop_every_other.bpf.c') });
    const collected = collectRows(s, 10);
    net.sendUdp(10);
    const rows = await collected;
    const sum = await s.stop();
    const verdicts = new Set(rows.map((r) => r.verdict));
    assert.ok(verdicts.has('XDP_DROP') && verdicts.has('XDP_PASS'), [...verdicts].join(','));
    assert.equal(sum.detached, 'stopped');
    assert.ok(sum.stats && sum.stats.seen >= 10 && sum.stats.ringbuf_full === 0);
    assert.equal(rows[0].struct, 'verdict_meta');
  });

  it('a TC program attaches through tcx and is captured too', async () => {
    const s = await LiveCapture.start({ target, dev: net.hostIf, input: path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'), program: 'tc_read_meta' });
    const collected = collectRows(s, 3);
    assert.equal(s.info.hook, 'tc');
    assert.match(s.info.blindSpots[0], /never reach TC ingress/);
    net.sendUdp(3);
    const rows = await collected;
    await s.stop();
    assert.ok(rows.length >= 3);
    assert.ok(rows.every((r) => r.verdict === 'TC_ACT_OK'));
  });

  async function capturing(): Promise<LiveCapture> {
    const s = await LiveCapture.start({ target, dev: net.hostIf, input: path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c') });
    s.on('end', () => undefined);
    const collected = collectRows(s, 3);
    net.sendUdp(3);
    assert.ok((await collected).length >= 3, 'rows flow before the fault');
    return s;
  }

  it('fault: SIGKILL of the ssh client mid-capture leaves nothing attached', async () => {
    const s = await capturing();
    const ended = new Promise((r) => s.once('end', r));
    s.client.proc.child.kill('SIGKILL');
    const sum = (await ended) as { detached: string; error?: Error };
    // Only the connection is known to be gone: the agent ends when sshd notices, or when its heartbeat runs out.
    assert.equal(sum.detached, 'connection-lost');
    assert.ok(sum.error instanceof RemoteError);
  });

  it('fault: killing the agent leaves nothing attached', async () => {
    const s = await capturing();
    const ended = new Promise((r) => s.once('end', r));
    process.kill(s.client.hello!.pid, 'SIGKILL');
    const sum = (await ended) as { detached: string; error?: Error };
    assert.equal(sum.detached, 'agent-exited');
    assert.match(String(sum.error?.message), /xdpmeta-test/);
  });

  it('fault: closing the agent\'s stdin leaves nothing attached', async () => {
    const s = await capturing();
    const ended = new Promise((r) => s.once('end', r));
    s.client.proc.stdin.end();
    await ended;
  });

  it('refuses the interface that carries the SSH session unless confirmed', async () => {
    await assert.rejects(
      LiveCapture.start({ target, dev: 'lo', input: path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c') }),
      (e: unknown) => e instanceof AgentError && e.code === 'ssh_interface' && /lo carries this SSH session/.test(e.message));
    assert.deepEqual(await waitClean('lo', OUR_PROGS, 2000), []);
  });

  it('uploads the agent once per content hash, then reuses it', async () => {
    // The test logs in as root: the host's cache is root's (this machine's) home.
    const cached = path.join(os.homedir(), `.cache/xdp-meta/agent-${findAgentBinary().hash}`);
    rmSync(cached, { force: true });
    const progress: string[] = [];
    for (let i = 0; i < 2; i++) {
      const c = await AgentClient.connect(await startAgent(target, { onProgress: (m) => progress.push(m) }));
      await c.close();
    }
    assert.equal(progress.filter((m) => /uploading the agent/.test(m)).length, 1, progress.join('\n'));
    assert.ok(existsSync(cached));
  });

  it('the ssh client of a session runs with the malloc thresholds that keep its buffers off fresh mmaps', async () => {
    const c = await AgentClient.connect(await startAgent(target));
    try {
      const env = readFileSync(`/proc/${c.proc.child.pid}/environ`, 'utf8').split('\0');
      // glibc's own parse ends the value at the first ':' in the process's copy, so only the first tunable shows here.
      assert.ok(env.some((e) => e.startsWith('GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304')), env.filter((e) => e.startsWith('GLIBC')).join());
    } finally {
      await c.close();
    }
  });

  describe('bad input: each a clear error naming the host', () => {
    const start = async (t: Target, agentArgs?: string[]) => {
      const c = await AgentClient.connect(await startAgent(t, { agentArgs }));
      return c;
    };

    it('a host that is down (closed port)', async () => {
      await assert.rejects(start({ ...target, host: sshd.closedPortAlias } as Target),
        (e: unknown) => e instanceof RemoteError && e.kind === 'connection-refused' && e.message.startsWith('xdpmeta-test-closed:'));
    });

    it('a refused key', async () => {
      await assert.rejects(start({ ...target, host: sshd.badKeyAlias } as Target),
        (e: unknown) => e instanceof RemoteError && e.kind === 'auth-refused' && /--identity/.test(e.message));
    });

    it('an unknown host key and a changed host key', async () => {
      await assert.rejects(start({ ...target, host: sshd.unknownHostAlias } as Target),
        (e: unknown) => e instanceof RemoteError && e.kind === 'host-key-unknown');
      await assert.rejects(start({ ...target, host: sshd.changedHostAlias } as Target),
        (e: unknown) => e instanceof RemoteError && e.kind === 'host-key-changed' && /ssh-keygen -R/.test(e.message));
    });

    it('refuses options that turn off host key checking', async () => {
      await assert.rejects(start({ ...target, options: ['StrictHostKeyChecking=no'] } as Target),
        (e: unknown) => e instanceof RemoteError && /never turns off host key checking/.test(e.message));
    });

    it('no sudo: a non-root user on a host without passwordless sudo', async function () {
      const user = `xmr${process.pid % 100000}`;
      const home = path.join(sshd.dir, 'home-' + user);
      try {
        // '*' (no password, not locked): sshd refuses locked ('!') accounts even for key logins.
        execFileSync('useradd', ['-M', '-d', home, '-s', '/bin/sh', '-p', '*', user], { stdio: 'ignore' });
      } catch {
        requirePrereq(this, false, 'useradd (to make a temporary user without sudo)');
      }
      try {
        mkdirSync(home, { recursive: true });
        execFileSync('chown', [user, home]);
        sshd.addUserAlias('xdpmeta-test-nosudo', user);
        await assert.rejects(start({ ...target, host: 'xdpmeta-test-nosudo' } as Target),
          (e: unknown) => e instanceof RemoteError && (e.kind === 'no-sudo' || e.kind === 'sudo-password') &&
            e.message.startsWith('xdpmeta-test-nosudo:'));
      } finally {
        execFileSync('userdel', [user], { stdio: 'ignore' });
        rmSync(home, { recursive: true, force: true });
      }
    });

    it('a kernel without BTF (agent pointed at a missing BTF path)', async () => {
      const c = await start(target, ['--btf', '/nonexistent/vmlinux']);
      try {
        const probe = await c.request({ op: 'probe' });
        assert.equal(probe.btf.present, false);
        await assert.rejects(LiveCapture.start({ target, dev: net.hostIf, input: path.join(FIX, 'rx_hash.bpf.c'), agentArgs: ['--btf', '/nonexistent/vmlinux'] }),
          (e: unknown) => e instanceof AgentError && e.code === 'no_btf' && /CONFIG_DEBUG_INFO_BTF/.test(e.message) && e.message.startsWith('xdpmeta-test:'));
      } finally {
        await c.close();
      }
    });

    it('garbage on the agent\'s stdout', async () => {
      const saved = process.env.XDP_META_AGENT;
      const fake = path.join(FIX, 'fake-agent-garbage.sh');
      chmodSync(fake, 0o755);
      process.env.XDP_META_AGENT = fake;
      try {
        await assert.rejects(start(target),
          (e: unknown) => e instanceof RemoteError && e.kind === 'protocol' && e.message.startsWith('xdpmeta-test:') &&
            /Welcome to Example Linux/.test(e.message));
      } finally {
        if (saved === undefined) delete process.env.XDP_META_AGENT;
        else process.env.XDP_META_AGENT = saved;
      }
    });
  });

  describe('dry run (BPF_PROG_TEST_RUN)', () => {
    it('returns the metadata a program writes; refuses device-bound programs with a reason', async () => {
      const magic = await buildCaptureObject(path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'));
      const hash = await buildCaptureObject(path.join(FIX, 'rx_hash.bpf.c'));
      const c = await AgentClient.connect(await startAgent(target));
      try {
        const p = await c.request({ op: 'load', object: readFileSync(magic.plainObjectPath).toString('base64'), program: 'xdp_write_meta' });
        const r = await c.request({ op: 'test_run', prog: p.prog, data: 'ff'.repeat(14) + '00'.repeat(20) });
        assert.equal(r.retval, 2);
        assert.equal(r.meta_len, 16);
        assert.equal(r.meta.slice(0, 8), '42eeffc0');
        const d = await c.request({ op: 'load', object: readFileSync(hash.plainObjectPath).toString('base64'), ifindex: net.hostIfindex() });
        assert.equal(d.dev_bound, true);
        await assert.rejects(c.request({ op: 'test_run', prog: d.prog, data: 'ff'.repeat(34) }),
          (e: unknown) => e instanceof AgentError && e.code === 'dev_bound_test_run' && /impossible for a device-bound program/.test(e.message));
      } finally {
        await c.close();
      }
    });
  });
});

if (!existsSync(path.join(ROOT, 'agent/Makefile'))) throw new Error('agent/Makefile missing');
