// Test network: a namespace with one end of a veth pair, the other end on the host, and a private /30 between them.
import { execFileSync } from 'node:child_process';

export interface VethNs {
  ns: string;
  /** Host end (where programs get attached; it receives what the namespace sends). */
  hostIf: string;
  peerIf: string;
  hostAddr: string;
  peerAddr: string;
  hostIfindex(): number;
  /** Sends `count` UDP datagrams from the namespace to the host end. */
  sendUdp(count: number, payload?: string, port?: number): void;
  destroy(): void;
}

let seq = 0;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `hostIndex`: the host end's ifindex (a test that needs a particular value, e.g. one equal to a BTF type id). */
export function createVethNs(opts: { hostIndex?: number } = {}): VethNs {
  const n = (process.pid * 7 + seq++) % 4096;
  const ns = `xdpmeta-remote-${process.pid}-${seq}`;
  const hostIf = `xmr${n}a`;
  const peerIf = `xmr${n}b`;
  // 10.209.0.0/16 is this suite's; each pair gets its own /30.
  const base = (n % 16384) * 4;
  const net = `10.209.${(base >> 8) & 255}.${base & 255}`;
  const [a, b, c] = net.split('.');
  const hostAddr = `${a}.${b}.${c}.${(base & 255) + 1}`;
  const peerAddr = `${a}.${b}.${c}.${(base & 255) + 2}`;
  try {
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, ...(opts.hostIndex ? ['index', String(opts.hostIndex)] : []), 'type', 'veth', 'peer', 'name', peerIf, 'netns', ns);
    ip('addr', 'add', `${hostAddr}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('-n', ns, 'addr', 'add', `${peerAddr}/30`, 'dev', peerIf);
    ip('-n', ns, 'link', 'set', peerIf, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  } catch (e) {
    try { ip('netns', 'del', ns); } catch { /* not created */ }
    try { ip('link', 'del', hostIf); } catch { /* not created */ }
    throw e;
  }
  return {
    ns, hostIf, peerIf, hostAddr, peerAddr,
    hostIfindex: () => Number(execFileSync('cat', [`/sys/class/net/${hostIf}/ifindex`], { encoding: 'utf8' }).trim()),
    sendUdp(count, payload = 'xdp-meta', port = 9999) {
      execFileSync('ip', ['netns', 'exec', ns, 'python3', '-c',
        'import socket,sys\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n' +
        'for i in range(int(sys.argv[1])): s.sendto(sys.argv[2].encode(),(sys.argv[3],int(sys.argv[4])))',
        String(count), payload, hostAddr, String(port)], { stdio: 'ignore' });
    },
    destroy() {
      try { ip('netns', 'del', ns); } catch { /* already gone */ }
      try { ip('link', 'del', hostIf); } catch { /* went with the namespace */ }
    },
  };
}

/**
 * What of ours is still attached to `ifname` or loaded: XDP on the link, TC ingress filters, programs
 * named in `progNames`, bpf_links on the interface. Empty when clean.
 */
export function leftovers(ifname: string, progNames: readonly string[]): string[] {
  const found: string[] = [];
  const link = execFileSync('ip', ['-d', 'link', 'show', 'dev', ifname], { encoding: 'utf8' });
  if (/\bprog\/xdp\b|\bxdp(generic|drv|offload)?\b.*\bid\b/.test(link)) found.push(`ip link: ${link.trim().split('\n').find((l) => /xdp/.test(l))}`);
  let tcOut = '';
  try {
    tcOut = execFileSync('tc', ['filter', 'show', 'dev', ifname, 'ingress'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch { /* no clsact qdisc: nothing attached */ }
  if (tcOut.trim()) found.push(`tc filter: ${tcOut.trim()}`);
  const ifindex = Number(execFileSync('cat', [`/sys/class/net/${ifname}/ifindex`], { encoding: 'utf8' }).trim());
  const progs = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show'], { encoding: 'utf8' }) || '[]') as { id: number; name?: string }[];
  for (const p of progs) if (p.name && progNames.some((n) => n.slice(0, 15) === p.name)) found.push(`bpftool prog: ${p.id} ${p.name}`);
  const links = JSON.parse(execFileSync('bpftool', ['-j', 'link', 'show'], { encoding: 'utf8' }) || '[]') as { id: number; ifindex?: number; prog_id: number }[];
  for (const l of links) if (l.ifindex === ifindex) found.push(`bpftool link: ${l.id} prog ${l.prog_id}`);
  return found;
}

/** Polls `leftovers` until clean or `timeoutMs` passed (the kernel releases links when the agent's fds close). */
export async function waitClean(ifname: string, progNames: readonly string[], timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = leftovers(ifname, progNames);
    if (!left.length || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
