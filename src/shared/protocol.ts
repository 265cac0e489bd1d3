// The contract between the VS Code client and the language server: settings, init options, custom messages, command ids.
// Imported by both sides (and the CLI's `lsp` command), so it must stay free of `vscode` and Node-only imports.

/** Language server settings, read by the client from `xdpMeta.*` and sent as initializationOptions / on change. */
export interface ServerSettings {
  /** `xdpMeta.clang.path`; empty = discover. */
  clangPath: string;
  /** `xdpMeta.clang.extraFlags`. */
  extraFlags: string[];
  /** `xdpMeta.includePaths`, already resolved to absolute paths by the client. */
  includePaths: string[];
  /** `xdpMeta.check.targetBtf`; empty = the running kernel's BTF. */
  targetBtf: string;
  /** `xdpMeta.check.onType`: compile while typing, not only on open/save. */
  checkOnType: boolean;
  /** Extra globs besides `**\/*.bpf.c` (`xdpMeta.documentSelector`). */
  documentGlobs: string[];
}

export const defaultServerSettings: ServerSettings = {
  clangPath: '',
  extraFlags: [],
  includePaths: [],
  targetBtf: '',
  checkOnType: true,
  documentGlobs: [],
};

/**
 * The `xdpMeta` settings object exactly as VS Code stores it (nested by dots). The client sends it through
 * `workspace/didChangeConfiguration` as `{ xdpMeta: RawSettings }`; Neovim users put the same shape in `settings`.
 */
export interface RawSettings {
  clang?: { path?: string; extraFlags?: string[] };
  includePaths?: string[];
  documentSelector?: string[];
  check?: { targetBtf?: string; onType?: boolean };
}

/** Converts raw settings; relative include paths and BTF paths resolve against `root` (the workspace folder). */
export function toServerSettings(raw: RawSettings | undefined, resolve: (p: string) => string): ServerSettings {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const targetBtf = typeof raw?.check?.targetBtf === 'string' ? raw.check.targetBtf.trim() : '';
  return {
    clangPath: typeof raw?.clang?.path === 'string' ? raw.clang.path.trim() : '',
    extraFlags: strings(raw?.clang?.extraFlags),
    includePaths: strings(raw?.includePaths).map(resolve),
    targetBtf: targetBtf ? resolve(targetBtf) : '',
    checkOnType: raw?.check?.onType !== false,
    documentGlobs: strings(raw?.documentSelector),
  };
}

/** `initializationOptions` of the `initialize` request. */
export interface InitOptions {
  /** False in an untrusted workspace (or `--untrusted` on the command line): no compiler runs. Default true. */
  trusted?: boolean;
  settings?: RawSettings;
}

/** The glob every BPF C source matches; other C files stay with clangd/cpptools. */
export const BPF_C_GLOB = '**/*.bpf.c';

/** Server → client after each compile+check of a document: feeds the status bar. */
export const CheckResultNotification = 'xdpMeta/checkResult';
export interface CheckResult {
  uri: string;
  version: number;
  /** 'ok' = compiled and checked; 'compile-failed' = clang errors; 'untrusted' / 'no-clang' = nothing ran. */
  status: 'ok' | 'compile-failed' | 'untrusted' | 'no-clang' | 'internal-error';
  errors: number;
  warnings: number;
  infos: number;
  compileMs: number;
  checkMs: number;
  /** A line for the status bar tooltip when something could not run (clang missing, check crashed). */
  detail?: string;
}

/** Client → server: run compile+check now on this document (the "Check" code lens / command). */
export const CheckNowRequest = 'xdpMeta/checkNow';
export interface CheckNowParams { uri: string }

/** Client-side commands the server's code lenses invoke; arguments are `[CodeLensArgs]`. */
export const Commands = {
  checkCurrentFile: 'xdpMeta.checkCurrentFile',
  loadAndShowVerifierLog: 'xdpMeta.loadAndShowVerifierLog',
  openVerifierLogViewer: 'xdpMeta.openVerifierLogViewer',
  runOnHost: 'xdpMeta.runOnHost',
  stopCapture: 'xdpMeta.stopCapture',
  selectTarget: 'xdpMeta.selectTarget',
  generateVmlinuxH: 'xdpMeta.generateVmlinuxH',
  writeCompileCommands: 'xdpMeta.writeCompileCommands',
  newProjectFromTemplate: 'xdpMeta.newProjectFromTemplate',
  restartServer: 'xdpMeta.restartServer',
  showOutput: 'xdpMeta.showOutput',
  setTargetBtf: 'xdpMeta.setTargetBtf',
  runKernelMatrix: 'xdpMeta.runKernelMatrix',
  runDoctor: 'xdpMeta.runDoctor',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

/** The argument a code lens passes to its command: which file and which program. */
export interface CodeLensArgs {
  uri: string;
  /** The C function under `SEC("xdp...")`. */
  functionName: string;
  /** The ELF section, e.g. `xdp` or `xdp.frags`. */
  section: string;
  /** 0-based line of the `SEC(...)`. */
  line: number;
}

/** `source` of the diagnostics we publish, so users can filter the Problems view. */
export const DIAGNOSTIC_SOURCE_CLANG = 'clang';
export const DIAGNOSTIC_SOURCE_CHECK = 'xdp-meta';
