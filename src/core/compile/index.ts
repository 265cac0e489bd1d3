// Public surface of the compile driver: clang discovery, compiling BPF C, diagnostics, environment checks.
export * from './arch';
export * from './clang';
export * from './compile';
export * from './diagnostics';
export * from './environment';
export * from './libbpf-headers';
export { CancelledError, runTool, type RunOptions, type RunResult } from './run';
export * from './templates';
