// The command table: add a subcommand with one entry here (its module is loaded only when it runs).
import type { CliCommand } from '../command';

/**
 * One subcommand: what `xdp-meta --help` lists, and how to load its module. The bundle evaluates a module on
 * its first `require`, so a run pays only for its own command's code (lsp's language-server library alone is
 * half the bundle). `require`, not `import()`: the tests run the sources under tsx's CommonJS hook.
 */
export interface CommandEntry {
  name: string;
  /** The help line; equals the loaded command's `summary` (a test keeps them in step). */
  summary: string;
  load(): Promise<CliCommand>;
}

export const commands: CommandEntry[] = [
  { name: 'btf', summary: 'show BTF of a raw BTF file or an object: summary, JSON, raw text or a C header', load: async () => (require('./btf') as typeof import('./btf')).btfCommand },
  { name: 'build', summary: 'compile a *.bpf.c to a BPF object with clang and print its diagnostics', load: async () => (require('./build') as typeof import('./build')).buildCommand },
  { name: 'check', summary: 'check data_meta use: CO-RE, bounds, producer/consumer layout, kfuncs', load: async () => (require('./check') as typeof import('./check')).checkCommand },
  { name: 'disasm', summary: 'disassemble a BPF object with source lines and named calls', load: async () => (require('./disasm') as typeof import('./disasm')).disasmCommand },
  { name: 'doctor', summary: 'check clang, bpftool, kernel BTF, bpffs and BPF privileges on this machine', load: async () => (require('./doctor') as typeof import('./doctor')).doctorCommand },
  { name: 'lsp', summary: 'run the language server (diagnostics, quick fixes, hovers) over stdio', load: async () => (require('./lsp') as typeof import('./lsp')).lspCommand },
  { name: 'relocs', summary: 'resolve CO-RE relocations against a target BTF as libbpf does', load: async () => (require('./relocs') as typeof import('./relocs')).relocsCommand },
  { name: 'run', summary: 'run an XDP program on a host and print decoded data_meta per packet', load: async () => (require('./run') as typeof import('./run')).runCommand },
  { name: 'log', summary: 'summarise a BPF verifier log and explain why the program was rejected', load: async () => (require('./log') as typeof import('./log')).logCommand },
  { name: 'load', summary: 'load a BPF object on this host, print the verifier summary and explanation, then unload', load: async () => (require('./load') as typeof import('./load')).loadCommand },
  { name: 'matrix', summary: 'judge programs against several kernels: static checks per kernel BTF and each kernel\'s real verifier in a microVM', load: async () => (require('./matrix') as typeof import('./matrix')).matrixCommand },
];
