// Boots a kernel in a QEMU microVM (TCG) with our initramfs and hands back an agent client on its second serial port.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import type { KernelTarget } from '../kernels/types';
import { AgentClient } from '../remote/client';
import type { AgentProcess } from '../remote/transport';
import { ToolError, XdpMetaError } from '../util/errors';
import { AGENT_READY, buildInitramfs, INIT_FAILED } from './initramfs';
import { sshHostExtras, type SshHostOptions } from './ssh-host';

export interface BootOptions {
  /** From spawning QEMU to the agent's hello (default 120 s: TCG on a shared machine is slow). */
  timeoutMs?: number;
  memoryMb?: number;
  /** Extra kernel command line (tests use it to make a guest panic). */
  extraAppend?: string;
  /** Make the VM an SSH target: sshd in the guest, 127.0.0.1:port forwarded to its port 22 (virtio-net). */
  ssh?: SshHostOptions;
  /** Every console line as it comes. */
  onConsole?: (line: string) => void;
}

/** The guest failed: it names the kernel and carries the console's last lines. */
export class VmError extends XdpMetaError {
  constructor(readonly kernel: string, what: string, readonly consoleTail: string, options?: { cause?: unknown }) {
    super(`kernel ${kernel}: ${what}${consoleTail ? `\n--- last console lines ---\n${consoleTail}` : ' (the console printed nothing)'}`, options);
  }
}

const CONSOLE_LINES = 40;
const qemuChecked = new Map<string, string>();

/** QEMU for the guest's `uname -m`: XDP_META_QEMU (x86_64) or XDP_META_QEMU_AARCH64 overrides. */
export function qemuBinary(arch: 'x86_64' | 'aarch64' = 'x86_64'): string {
  const hit = qemuChecked.get(arch);
  if (hit) return hit;
  const bin = (arch === 'aarch64' ? process.env.XDP_META_QEMU_AARCH64 : process.env.XDP_META_QEMU) ?? `qemu-system-${arch}`;
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new ToolError(`the matrix VM needs ${bin}: apt-get install ${arch === 'aarch64' ? 'qemu-system-arm' : 'qemu-system-x86'}`, { cause: r.error });
  qemuChecked.set(arch, bin);
  return bin;
}

/**
 * The machine, console and agent channel per guest architecture. x86_64: the PC's two UARTs (ttyS0, ttyS1). arm64:
 * QEMU's virt machine has one PL011 (ttyAMA0), so the agent gets a virtio console (hvc0) on virtio-mmio.
 */
function machineArgs(arch: 'x86_64' | 'aarch64', agentChardev: string): { console: string; args: string[] } {
  if (arch === 'aarch64') {
    return {
      console: 'ttyAMA0',
      args: ['-M', 'virt', '-accel', 'tcg', '-cpu', 'max', '-serial', 'chardev:con', '-device', 'virtio-serial-device', '-device', `virtconsole,chardev=${agentChardev}`],
    };
  }
  // KVM did not boot guests on this machine kind ("failed to set MSR"): TCG always.
  return { console: 'ttyS0', args: ['-accel', 'tcg', '-cpu', 'max', '-serial', 'chardev:con', '-serial', `chardev:${agentChardev}`] };
}

/** True when util-linux's setpriv can give QEMU a parent-death signal (so QEMU dies with us, even on SIGKILL). */
function hasSetpriv(): boolean {
  return spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ?? false;
}

export class MicroVm {
  private constructor(
    readonly kernel: KernelTarget,
    readonly client: AgentClient,
    private readonly qemu: ChildProcessWithoutNullStreams,
    private readonly console: string[],
    readonly bootMs: number,
  ) {}

  get name(): string {
    return this.kernel.id;
  }

  consoleTail(n = 20): string {
    return this.console.slice(-n).join('\n');
  }

  /** Boots `kernel`, waits for the agent's hello. On failure nothing is left running. */
  static async boot(kernel: KernelTarget, opts: BootOptions = {}): Promise<MicroVm> {
    if (!kernel.vmlinuz) throw new XdpMetaError(`kernel ${kernel.id}: no bootable image (a ${kernel.source} gives static checks only)`);
    const arch = kernel.arch ?? 'x86_64';
    // The SSH host's guest needs virtio_net over PCI and an sshd for its architecture: x86_64 only so far.
    if (opts.ssh && arch !== 'x86_64') throw new XdpMetaError(`kernel ${kernel.id}: an SSH matrix host needs an x86_64 kernel (this one is ${arch})`);
    const qemuBin = qemuBinary(arch);
    const initrd = buildInitramfs(kernel, opts.ssh ? sshHostExtras(opts.ssh) : undefined);
    const started = Date.now();
    const timeoutMs = opts.timeoutMs ?? 120_000;
    // An abstract unix socket: nothing on disk to leave behind when we are killed.
    const sockName = `xdp-meta-vm-${process.pid}-${randomBytes(6).toString('hex')}`;
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(`\0${sockName}`, () => resolve());
    });
    const machine = machineArgs(arch, 'agent');
    const append = `console=${machine.console} quiet loglevel=4 panic=-1 ${opts.extraAppend ?? ''}`.trim();
    const qemuArgs = [
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-chardev', 'stdio,id=con,signal=off',
      '-chardev', `socket,id=agent,path=${sockName},abstract=on,tight=off`,
      // TCG, one vCPU (one host core).
      ...machine.args, '-smp', '1', '-m', String(opts.memoryMb ?? 768),
      '-kernel', kernel.vmlinuz, '-initrd', initrd, '-append', append,
      '-monitor', 'none',
      ...(opts.ssh ? ['-netdev', `user,id=n0,hostfwd=tcp:127.0.0.1:${opts.ssh.port}-:22`, '-device', 'virtio-net-pci,netdev=n0'] : []),
    ];
    const [cmd, args] = hasSetpriv() ? ['setpriv', ['--pdeathsig', 'KILL', '--', qemuBin, ...qemuArgs]] : [qemuBin, qemuArgs];
    const qemu = spawn(cmd as string, args as string[], { stdio: ['pipe', 'pipe', 'pipe'] });
    const consoleLines: string[] = [];
    let partial = '';
    let stderr = '';
    const pushLine = (line: string): void => {
      consoleLines.push(line);
      if (consoleLines.length > 400) consoleLines.splice(0, consoleLines.length - 400);
      opts.onConsole?.(line);
    };
    qemu.stdout.setEncoding('utf8');
    qemu.stdout.on('data', (d: string) => {
      partial += d.replace(/\r/g, '');
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(pushLine);
    });
    qemu.stderr.setEncoding('utf8');
    qemu.stderr.on('data', (d: string) => { stderr = (stderr + d).slice(-8192); });
    qemu.stdin.on('error', () => undefined);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      qemu.on('error', () => resolve({ code: null, signal: null }));
      qemu.on('close', (code, signal) => resolve({ code, signal }));
    });
    const tail = (): string => [...consoleLines, ...(partial ? [partial] : [])].slice(-CONSOLE_LINES).join('\n');
    const stop = async (): Promise<void> => {
      qemu.kill('SIGKILL');
      await exited;
      server.close();
    };

    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const timer = setTimeout(() => reject(new VmError(kernel.id, `the VM did not boot within ${Math.round(timeoutMs / 1000)} s`, tail())), timeoutMs);
        void exited.then((how) => {
          clearTimeout(timer);
          const text = tail();
          const why = /Kernel panic/.test(text) ? 'the guest kernel panicked'
            : text.includes(INIT_FAILED) ? 'the guest\'s /init failed'
              : `QEMU exited (${how.code ?? how.signal}) before the agent started${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`;
          reject(new VmError(kernel.id, why, text));
        });
        server.once('connection', (s: Socket) => {
          // QEMU connects at start; the guest speaks only once its port is raw: wait for the ready line.
          let pre = '';
          const onData = (chunk: Buffer): void => {
            pre += chunk.toString('latin1');
            const at = pre.indexOf(`${AGENT_READY}\n`);
            if (at < 0) return;
            s.off('data', onData);
            clearTimeout(timer);
            const rest = pre.slice(at + AGENT_READY.length + 1);
            s.pause();
            if (rest) s.unshift(Buffer.from(rest, 'latin1'));
            resolve(s);
          };
          s.on('data', onData);
        });
      });
      socket.on('error', () => undefined);
      const out = new PassThrough();
      socket.pipe(out);
      const proc: AgentProcess = {
        host: `vm ${kernel.release}`,
        stdin: socket,
        stdout: out,
        child: qemu,
        exited,
        stderrText: () => tail(),
        kill: (sig = 'SIGTERM') => { qemu.kill(sig); },
      };
      const remaining = Math.max(5_000, timeoutMs - (Date.now() - started));
      const client = await AgentClient.connect(proc, remaining);
      return new MicroVm(kernel, client, qemu, consoleLines, Date.now() - started);
    } catch (e) {
      await stop();
      if (e instanceof VmError) throw e;
      throw new VmError(kernel.id, `the agent in the VM did not answer (${(e as Error).message})`, tail(), { cause: e });
    } finally {
      server.close();
    }
  }

  /** Asks the agent to leave (the guest's /init then powers off) and waits for QEMU; kills it after `graceMs`. */
  async shutdown(graceMs = 10_000): Promise<void> {
    await this.client.close(graceMs);
    if (this.qemu.exitCode === null && this.qemu.signalCode === null) {
      this.qemu.kill('SIGKILL');
      await new Promise((r) => this.qemu.once('close', r));
    }
  }

  /** Stops the VM now. */
  async kill(): Promise<void> {
    await this.client.kill();
  }
}
