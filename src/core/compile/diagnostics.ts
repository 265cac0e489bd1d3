// Parses clang's stderr (no color, parseable fix-its, range info) into structured diagnostics.

export type Severity = 'error' | 'warning' | 'note' | 'remark';

/** A 1-based line/column position; line 0 means "no location" (driver errors, backend errors without debug info). */
export interface SourcePosition {
  line: number;
  column: number;
}

/**
 * A source range as clang prints it in `{l1:c1-l2:c2}`: 1-based, half-open — `end.column` is one past the
 * last character (for diagnostic ranges and fix-its alike), so `x` at column 7 is `{7-8}`.
 */
export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

export interface FixIt {
  file: string;
  range: SourceRange;
  /** Replacement text ("" deletes the range). */
  text: string;
}

export interface IncludeSite {
  file: string;
  line: number;
}

export interface ClangDiagnostic {
  /** File as clang names it (absolute with -fdiagnostics-absolute-paths); '' when clang gave no location. */
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  /** True for clang's "fatal error" (reported with severity 'error'). */
  fatal?: boolean;
  /** Warning option that controls it, e.g. "-Wunused-variable" or "-Werror,-Wunused-variable". */
  option?: string;
  ranges?: SourceRange[];
  fixits?: FixIt[];
  /** "In file included from" chain, outermost (main file) first. */
  includeStack?: IncludeSite[];
  /** Notes clang printed after this diagnostic (candidates, "previous definition is here"). */
  notes?: ClangDiagnostic[];
}

export interface ParseOptions {
  /** Rename this file name (e.g. '<stdin>') to `toFile` everywhere. */
  renameFile?: { from: string; toFile: string };
  /**
   * Lines to subtract from range/fix-it line numbers in `forFile`: with a `#line` prologue clang reports
   * the location presumed but ranges physically, so they differ by the prologue's length.
   */
  rangeLineShift?: { forFile: string; lines: number };
}

// "file:10:2: error: msg", with range info "file:10:2:{10:2-10:9}{11:1-11:4}: error: msg".
const LOCATED = /^(.*?):(\d+):(\d+):((?:\{\d+:\d+-\d+:\d+\})*):? (fatal error|error|warning|note|remark): (.*)$/;
// "clang-19: error: ...", "error: unable to open output file ...", "fatal error: too many errors emitted ..."
const UNLOCATED = /^(?:([^\s:]+): )?(fatal error|error|warning|note|remark): (.*)$/;
const INCLUDED = /^(?:In file included from|\s+from) (.*):(\d+):$/;
const FIXIT = /^fix-it:"((?:[^"\\]|\\.)*)":\{(\d+):(\d+)-(\d+):(\d+)\}:"((?:[^"\\]|\\.)*)"$/;
const RANGE = /\{(\d+):(\d+)-(\d+):(\d+)\}/g;
const OPTION = /\s\[(-W[^\]\s]+)\]$/;
// Source snippet and caret lines under a diagnostic: "   10 |   x = 1;" / "      |   ^".
const SNIPPET = /^\s*\d*\s\|/;
// The BPF backend reports at the function when it cannot map a DILocation back (always so for stdin input).
const UNMAPPED_NOTE = /^could not determine the original source location for (.*):(\d+):(\d+)$/;
const SUMMARY = /^\d+ (?:errors?|warnings?)(?: and \d+ (?:errors?|warnings?))? generated\.$/;

/** Undoes clang's escaping of fix-it strings: \\ \" \n \t and octal \NNN bytes. */
export function unescapeClangString(s: string): string {
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '\\' || i + 1 >= s.length) {
      bytes.push(...enc.encode(c));
      continue;
    }
    const n = s[++i];
    if (n === 'n') bytes.push(10);
    else if (n === 't') bytes.push(9);
    else if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(s.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else bytes.push(...enc.encode(n));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Turns clang's stderr into diagnostics. Notes and fix-its attach to the diagnostic before them,
 * "In file included from" lines to the one after them; exact repeats (the BPF backend repeats
 * "stack limit exceeded" per instruction) are dropped; unrecognised lines are ignored.
 */
export function parseClangDiagnostics(stderr: string, opts: ParseOptions = {}): ClangDiagnostic[] {
  const rename = (f: string): string => (opts.renameFile && f === opts.renameFile.from ? opts.renameFile.toFile : f);
  const shiftFor = (f: string): number => (opts.rangeLineShift && f === opts.rangeLineShift.forFile ? opts.rangeLineShift.lines : 0);
  const shift = (r: SourceRange, by: number): SourceRange =>
    by ? { start: { line: r.start.line - by, column: r.start.column }, end: { line: r.end.line - by, column: r.end.column } } : r;

  const out: ClangDiagnostic[] = [];
  let current: ClangDiagnostic | undefined; // the top-level diagnostic notes attach to
  let last: ClangDiagnostic | undefined; // the diagnostic fix-its attach to (may be a note)
  let includes: IncludeSite[] = [];

  const add = (d: ClangDiagnostic): void => {
    if (includes.length) d.includeStack = includes;
    includes = [];
    if (d.severity === 'note' && current) {
      (current.notes ??= []).push(d);
      last = d;
      return;
    }
    out.push(d);
    current = last = d;
  };

  for (const raw of stderr.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (!line || SNIPPET.test(line) || SUMMARY.test(line)) continue;
    let m = INCLUDED.exec(line);
    if (m) {
      includes.push({ file: rename(m[1]), line: Number(m[2]) });
      continue;
    }
    m = FIXIT.exec(line);
    if (m) {
      if (!last) continue;
      const file = rename(unescapeClangString(m[1]));
      const range = shift({ start: { line: Number(m[2]), column: Number(m[3]) }, end: { line: Number(m[4]), column: Number(m[5]) } }, shiftFor(file));
      (last.fixits ??= []).push({ file, range, text: unescapeClangString(m[6]) });
      continue;
    }
    m = LOCATED.exec(line);
    if (m) {
      const file = rename(m[1]);
      const d = makeDiagnostic(file, Number(m[2]), Number(m[3]), m[5], m[6]);
      const ranges = [...m[4].matchAll(RANGE)].map((r) => shift({
        start: { line: Number(r[1]), column: Number(r[2]) },
        end: { line: Number(r[3]), column: Number(r[4]) },
      }, shiftFor(file)));
      if (ranges.length) d.ranges = ranges;
      add(d);
      continue;
    }
    m = UNLOCATED.exec(line);
    if (m) {
      add(makeDiagnostic('', 0, 0, m[2], m[3]));
      continue;
    }
    // Anything else (the driver's "clang: note: diagnostic msg" blocks, old-style snippets) is context only.
  }
  // Relocate first: two backend errors at the same function start are different errors once moved.
  for (const d of out) relocateBackendDiagnostic(d, rename);
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = `${d.file}\0${d.line}\0${d.column}\0${d.severity}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * A backend error (e.g. "A call to built-in function 'memcpy' is not supported") sits at the function
 * start, with the real place only in a "could not determine the original source location for F:L:C"
 * note: move the error there and drop those notes.
 */
function relocateBackendDiagnostic(d: ClangDiagnostic, rename: (f: string) => string): void {
  if (!d.notes) return;
  let moved = false;
  d.notes = d.notes.filter((n) => {
    const m = UNMAPPED_NOTE.exec(n.message);
    if (!m) return true;
    if (!moved && Number(m[2]) > 0) {
      d.file = rename(m[1]);
      d.line = Number(m[2]);
      d.column = Number(m[3]);
      delete d.ranges;
      moved = true;
    }
    return false;
  });
  if (d.notes.length === 0) delete d.notes;
}

function makeDiagnostic(file: string, line: number, column: number, sev: string, text: string): ClangDiagnostic {
  const d: ClangDiagnostic = { file, line, column, severity: sev === 'fatal error' ? 'error' : (sev as Severity), message: text };
  if (sev === 'fatal error') d.fatal = true;
  const opt = OPTION.exec(text);
  if (opt) {
    d.option = opt[1];
    d.message = text.slice(0, opt.index);
  }
  return d;
}

/** `file:line:col: severity: message` (clang's own layout; no location part when clang gave none). */
export function formatDiagnostic(d: ClangDiagnostic, displayFile: (f: string) => string = (f) => f): string {
  const where = d.file ? `${displayFile(d.file)}:${d.line}:${d.column}: ` : d.line ? `${d.line}:${d.column}: ` : '';
  const opt = d.option ? ` [${d.option}]` : '';
  return `${where}${d.severity}: ${d.message}${opt}`;
}

/** Counts top-level errors and warnings. */
export function countDiagnostics(ds: readonly ClangDiagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of ds) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}
