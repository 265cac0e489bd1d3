// Who refused a load and why: libbpf before the kernel saw the program, the kernel creating a map, or the kernel's verifier.
import { constants } from 'node:os';

export type RefusalStage =
  | 'section' | 'map' | 'attach-target' | 'extension' | 'kfunc' | 'core-relocation' | 'prepare' | 'program' | 'unknown';

export interface LoadRefusal {
  /** Who said no: libbpf (before the kernel saw the program), the kernel, or not known from the messages. */
  by: 'libbpf' | 'kernel' | 'unknown';
  stage: RefusalStage;
  /** One line: who refused what, and why. */
  message: string;
  program?: string;
  /** `EPERM`, `EINVAL`, ... when libbpf or the kernel gave an error number. */
  errno?: string;
  /** The kernel printed a verifier log for this load (only then is there a log to show). */
  kernelLog: boolean;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(constants.errno).map(([k, v]) => [v, k]));

/** `-22`, `Invalid argument(-22)`, `Permission denied` → `EINVAL` / `EPERM`. */
export function errnoName(text: string | number | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (typeof text === 'number') return ERRNO_NAMES.get(Math.abs(text)) ?? (Math.abs(text) === 524 ? 'ENOTSUPP' : undefined);
  const n = /-(\d+)\)?\s*$/.exec(text) ?? /^-?(\d+)$/.exec(text.trim());
  if (n) return errnoName(Number(n[1]));
  const byText: Record<string, string> = {
    'Permission denied': 'EACCES', 'Operation not permitted': 'EPERM', 'Invalid argument': 'EINVAL', 'No space left on device': 'ENOSPC',
    'Argument list too long': 'E2BIG', 'No such process': 'ESRCH', 'No such file or directory': 'ENOENT', 'Operation not supported': 'EOPNOTSUPP',
  };
  for (const [k, v] of Object.entries(byText)) if (text.includes(k)) return v;
  return undefined;
}

/** A verifier log is there when it holds more than libbpf's markers and blank lines. */
export function hasKernelLog(log: string | undefined): boolean {
  return !!log && /\S/.test(log.replace(/^.*(?:BEGIN|END) PROG LOAD LOG.*$/gm, ''));
}

/**
 * Reads libbpf's messages around a failed load (`libbpf: ...` lines, as bpftool prints them and the agent
 * collects them) and the kernel's log, and says who refused. `fallback` is the loader's own reason.
 */
export function attributeLoadFailure(libbpfOutput: string, kernelLog: string | undefined, fallback?: string): LoadRefusal {
  const out = libbpfOutput;
  const withLog = hasKernelLog(kernelLog);
  let m: RegExpExecArray | null;
  if ((m = /failed to guess program type from ELF section '([^']*)'/.exec(out)) ?? (m = /missing BPF prog type, check ELF section name '([^']*)'/.exec(out))) {
    return {
      by: 'libbpf', stage: 'section', kernelLog: false,
      message: `libbpf refused the object before loading it: section '${m[1]}' names no program type libbpf knows ` +
        `(iproute2-style names like 'xdp_mark' are not); name it SEC("xdp") or SEC("tc"), or load it with a tool that sets the type`,
    };
  }
  if ((m = /map '([^']+)': failed to create: (.*)$/m.exec(out))) {
    const errno = errnoName(m[2]);
    return {
      by: 'kernel', stage: 'map', kernelLog: false, ...(errno ? { errno } : {}),
      message: `the kernel refused to create map '${m[1]}' (${m[2].trim()}${errno ? `, ${errno}` : ''}), so no program was loaded and the verifier ` +
        `never ran; check the map's definition (an array or hash map needs max_entries > 0; key and value sizes must suit its type)`,
    };
  }
  if ((m = /prog '([^']+)': failed to find kernel BTF type ID of '([^']+)': (-?\d+)/.exec(out))) {
    const errno = errnoName(m[3]);
    return {
      by: 'libbpf', stage: 'attach-target', program: m[1], kernelLog: false, ...(errno ? { errno } : {}),
      message: `libbpf refused program '${m[1]}' before loading it: its attach target '${m[2]}' is not a function in the kernel's BTF ` +
        `(${m[3]}${errno ? `, ${errno}` : ''}); check the name in its SEC("…/${m[2]}")`,
    };
  }
  if ((m = /prog '([^']+)': attach program FD is not set/.exec(out))) {
    return {
      by: 'libbpf', stage: 'extension', program: m[1], kernelLog: false,
      message: `libbpf refused program '${m[1]}' before loading it: a freplace (BPF_PROG_TYPE_EXT) program replaces a function of ` +
        'another loaded program, and none was given (attach_prog_fd); load it together with its target',
    };
  }
  if ((m = /extern \((?:func )?ksym\) '(\w+)': (not found in kernel or module BTFs|func_proto \[\d+\] incompatible with (?:kernel|vmlinux) \[\d+\])/.exec(out))) {
    return { by: 'libbpf', stage: 'kfunc', kernelLog: false, message: `libbpf refused the object before loading it: kfunc ${m[1]}: ${m[2]}` };
  }
  if ((m = /prog '([^']+)': relo #\d+: (.*)$/m.exec(out)) && !withLog) {
    return { by: 'libbpf', stage: 'core-relocation', program: m[1], kernelLog: false, message: `libbpf refused program '${m[1]}': CO-RE relocation: ${m[2]}` };
  }
  // libbpf names the kernel's BPF_PROG_LOAD failure this way, with or without a log.
  if ((m = /prog '([^']+)': BPF program load failed: (.*)$/m.exec(out))) {
    const errno = errnoName(m[2]);
    return {
      by: 'kernel', stage: 'program', program: m[1], kernelLog: withLog, ...(errno ? { errno } : {}),
      message: withLog
        ? `the kernel's verifier rejected program '${m[1]}' (${m[2].trim()}${errno ? `, ${errno}` : ''})`
        : `the kernel refused program '${m[1]}' (${m[2].trim()}${errno ? `, ${errno}` : ''}) without a verifier log` +
          (errno === 'EPERM' ? ': missing privileges (CAP_BPF, CAP_NET_ADMIN), a lockdown, or a program type this kernel does not allow' : ''),
    };
  }
  if ((m = /prog '([^']+)': failed to prepare load attributes: (-?\d+)/.exec(out))) {
    const errno = errnoName(m[2]);
    return {
      by: 'libbpf', stage: 'prepare', program: m[1], kernelLog: false, ...(errno ? { errno } : {}),
      message: `libbpf refused program '${m[1]}' before loading it (${m[2]}${errno ? `, ${errno}` : ''}); its messages above say why`,
    };
  }
  if (withLog) {
    const errno = errnoName(fallback);
    return { by: 'kernel', stage: 'program', kernelLog: true, ...(errno ? { errno } : {}), message: `the kernel's verifier rejected the program${fallback ? ` (${fallback})` : ''}` };
  }
  const errno = errnoName(fallback);
  return {
    by: 'unknown', stage: 'unknown', kernelLog: false, ...(errno ? { errno } : {}),
    message: `the load failed before the kernel printed a verifier log${fallback ? ` (${fallback})` : ''}`,
  };
}
