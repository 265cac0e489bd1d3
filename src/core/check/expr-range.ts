// Widens a finding's line:column (from DWARF, often the `=` of a store) to the whole C expression by a token scan of the line.
import { readFileSync } from 'node:fs';
import type { Diagnostic } from './types';

const ID = /[A-Za-z0-9_]/;

/** Index of the bracket matching the one at `open` (`(`/`[` forward, `)`/`]` backward), or -1. */
function matchBracket(line: string, open: number): number {
  const c = line[open];
  const pair: Record<string, [string, number]> = { '(': [')', 1], '[': [']', 1], ')': ['(', -1], ']': ['[', -1] };
  const [close, step] = pair[c] ?? ['', 0];
  if (!step) return -1;
  let depth = 0;
  for (let i = open; i >= 0 && i < line.length; i += step) {
    if (line[i] === c) depth++;
    else if (line[i] === close && --depth === 0) return i;
  }
  return -1;
}

/** Start of the postfix expression (`a->b.c[i]`, `f(x)->y`) that ends just before `end`. */
function postfixStart(line: string, end: number): number {
  let k = end;
  for (;;) {
    let j = k;
    while (j > 0 && line[j - 1] === ' ') j--;
    const c = line[j - 1];
    if (c !== undefined && ID.test(c)) {
      while (j > 0 && ID.test(line[j - 1])) j--;
    } else if (c === ')' || c === ']') {
      const o = matchBracket(line, j - 1);
      if (o < 0) return k;
      j = o;
      // A call: its function name comes with it.
      while (j > 0 && ID.test(line[j - 1])) j--;
    } else return k;
    k = j;
    let m = k;
    while (m > 0 && line[m - 1] === ' ') m--;
    if (line.slice(m - 2, m) === '->') k = m - 2;
    else if (line[m - 1] === '.' && !/[0-9]/.test(line[m - 2] ?? '')) k = m - 1;
    else return k;
  }
}

/** End (exclusive) of the postfix expression starting at `start`: names, `->`/`.` members, subscripts and call arguments. */
function postfixEnd(line: string, start: number): number {
  let k = start;
  for (;;) {
    if (ID.test(line[k] ?? '')) while (k < line.length && ID.test(line[k])) k++;
    else if (line[k] === '(') {
      const c = matchBracket(line, k);
      if (c < 0) return k;
      k = c + 1;
    } else return k;
    for (;;) {
      if (line[k] === '(' || line[k] === '[') {
        const c = matchBracket(line, k);
        if (c < 0) return k;
        k = c + 1;
      } else break;
    }
    let m = k;
    while (line[m] === ' ') m++;
    if (line.slice(m, m + 2) === '->') k = m + 2;
    else if (line[m] === '.') k = m + 1;
    else return k;
    while (line[k] === ' ') k++;
  }
}

/**
 * The 1-based, end-exclusive column span of the expression at `column`: the left-hand side of an assignment
 * whose operator the column points at, the member chain or call around a name, or a dereference `*(T *)(p + 4)`.
 */
export function expressionRange(line: string, column: number): { column: number; endColumn: number } | undefined {
  const i = column - 1;
  const c = line[i];
  if (c === undefined) return undefined;
  let start = -1, end = -1;
  const assign = c === '=' && line[i + 1] !== '=' && !/[=!<>]/.test(line[i - 1] ?? '')
    || /[-+*/%&|^]/.test(c) && line[i + 1] === '=' || (c === '<' || c === '>') && line[i + 1] === c && line[i + 2] === '=';
  if (assign) {
    let j = i;
    while (j > 0 && line[j - 1] === ' ') j--;
    end = j;
    start = postfixStart(line, end);
    // `*p = v` / `*(u32 *)(p + 4) = v`: the dereference and its cast belong to the target.
    const before = line.slice(0, start).replace(/\s+$/, '');
    const cast = /\(\s*[A-Za-z_][\w\s]*\*\s*\)\s*$/.exec(before);
    const head = cast ? before.slice(0, cast.index).replace(/\s+$/, '') : before;
    if (head.endsWith('*') && !/[\w)\]]\s*\*$/.test(head)) start = head.length - 1;
  } else if (ID.test(c) || c === '.' || c === '-' && line[i + 1] === '>' || c === '>' && line[i - 1] === '-' || c === '(') {
    let s = i;
    while (s > 0 && ID.test(line[s - 1])) s--;
    let e = i;
    while (e < line.length && ID.test(line[e])) e++;
    start = postfixStart(line, e > s ? e : i);
    if (start === (e > s ? e : i)) start = s;
    end = postfixEnd(line, start);
  } else if (c === '*') {
    start = i;
    let k = i + 1;
    while (line[k] === ' ') k++;
    if (line[k] === '(') {
      const cast = matchBracket(line, k);
      if (cast < 0) return undefined;
      k = cast + 1;
      while (line[k] === ' ') k++;
    }
    end = postfixEnd(line, k);
  }
  if (start < 0 || end <= start) return undefined;
  return { column: start + 1, endColumn: end + 1 };
}

/** Fills `column`/`endColumn` of each located diagnostic with its expression's span; `sourceText` gives a file's text. */
export function addExpressionRanges(diagnostics: Diagnostic[], sourceText: (file: string) => string | undefined = readSource()): void {
  const lines = new Map<string, string[] | undefined>();
  for (const d of diagnostics) {
    if (!d.line || !d.column || d.endColumn) continue;
    if (!lines.has(d.file)) lines.set(d.file, sourceText(d.file)?.split('\n'));
    const text = lines.get(d.file)?.[d.line - 1];
    const r = text === undefined ? undefined : expressionRange(text.replace(/\r$/, ''), d.column);
    if (r) Object.assign(d, r);
  }
}

function readSource(): (file: string) => string | undefined {
  return (file) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
}
