// Types of one analysis run (compile, then check) as the server sees them, independent of the core's own shapes.

export type SourceSeverity = 'error' | 'warning' | 'info' | 'note';

export interface SourceLocation {
  /** Absolute path as the tool printed it (the temporary copy is mapped back by the caller). */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based; absent = whole line. */
  column?: number;
}

export interface SourceDiagnostic extends SourceLocation {
  severity: SourceSeverity;
  message: string;
  /** Rule code of the metadata check (`meta-bounds`, ...); absent for clang's own diagnostics. */
  code?: string;
  /** clang's `[-Wflag]` when it printed one. */
  flag?: string;
  related?: Array<SourceLocation & { message: string }>;
  /** Fix hints from the check, passed through to code actions. */
  data?: Record<string, unknown>;
  /** Exact 1-based range (end column exclusive) when the tool gave one. */
  range?: { start: { line: number; column: number }; end: { line: number; column: number } };
  /** clang's fix-its in this file (1-based, end exclusive). */
  fixits?: Array<{ range: { start: { line: number; column: number }; end: { line: number; column: number } }; text: string }>;
}

export interface CompileRequest {
  /** Where the document lives (its folder is an include path). */
  sourcePath: string;
  /** The buffer's current text, which may differ from the file on disk. */
  text: string;
  extraFlags: string[];
  includePaths: string[];
  /** Unsaved buffers of open headers (absolute path → text), compiled in place of the files. */
  headerBuffers?: ReadonlyMap<string, string>;
  signal: AbortSignal;
}

export interface CompileOutcome {
  /** Object written (only when clang succeeded). The caller deletes it. */
  objectPath?: string;
  /** The temporary source path clang saw, to map diagnostics back to the document. */
  compiledPath: string;
  diagnostics: SourceDiagnostic[];
  ms: number;
  /** Headers the source included (clang's dependency output); absent when clang wrote none (a failed compile). */
  includes?: string[];
  /** Folder holding the object; removed by disposeCompile. */
  tempDir?: string;
}

export interface CheckRequest {
  objectPath: string;
  /** The temporary source the object was built from, and the document it stands for. */
  compiledPath: string;
  sourcePath: string;
  /** The document's text the object was compiled from (expression ranges are scanned in it). */
  text: string;
  targetBtf: string;
  signal: AbortSignal;
}

export interface CheckOutcome {
  diagnostics: SourceDiagnostic[];
  ms: number;
  /** Set when the check could not run (not installed yet, target BTF unreadable): shown once, not as a diagnostic. */
  unavailable?: string;
}
