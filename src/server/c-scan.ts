// Light lexical scanning of BPF C text (no parser): SEC() programs, struct definitions, the word under the cursor.

export interface SecProgram {
  /** The ELF section string, e.g. `xdp`, `xdp.frags`, `tc`. */
  section: string;
  functionName: string;
  /** 0-based line of `SEC(`. */
  line: number;
}

export interface StructDef {
  name: string;
  /** Offsets into the text. `open` is the `{`, `close` the matching `}`, `end` the `;` that ends the definition. */
  start: number;
  open: number;
  close: number;
  end: number;
  /** The text between `close` and `end` carries `preserve_access_index`. */
  hasPreserveAccessIndex: boolean;
  /** Inside a `#pragma clang attribute push(__attribute__((preserve_access_index)) ...)` region. */
  inPreserveRegion: boolean;
}

/** Replaces comments and string/char literal contents with spaces so offsets stay valid for the scanners. */
export function blankCommentsAndStrings(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i], n = text[i + 1];
    if (c === '/' && n === '/') {
      const e = text.indexOf('\n', i);
      const stop = e < 0 ? text.length : e;
      out += ' '.repeat(stop - i); i = stop;
    } else if (c === '/' && n === '*') {
      const e = text.indexOf('*/', i + 2);
      const stop = e < 0 ? text.length : e + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' '); i = stop;
    } else if (c === '"' || c === '\'') {
      let j = i + 1;
      while (j < text.length && text[j] !== c && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += c + ' '.repeat(Math.max(0, Math.min(j, text.length) - i - 1)) + (j < text.length ? text[j] : '');
      i = j + 1;
    } else {
      out += c; i++;
    }
  }
  return out.slice(0, text.length);
}

const SEC_RE = /\bSEC\s*\(\s*"([^"]*)"\s*\)/g;

/** Every `SEC("...")` followed by a function definition; the name is the identifier before the first `(`. */
export function findSecPrograms(text: string): SecProgram[] {
  const out: SecProgram[] = [];
  const clean = blankCommentsAndStrings(text);
  for (const m of text.matchAll(SEC_RE)) {
    if (clean[m.index!] !== 'S') continue; // inside a comment
    const after = text.slice(m.index! + m[0].length, m.index! + m[0].length + 400);
    const fn = /^\s*(?:[A-Za-z_][\w\s*]*?\s|\*)\s*\**\s*([A-Za-z_]\w*)\s*\(/.exec(after);
    if (!fn) continue; // a SEC on a map or variable, not a program
    out.push({ section: m[1], functionName: fn[1], line: lineOf(text, m.index!) });
  }
  return out;
}

/** True for sections libbpf loads as XDP programs (`xdp`, `xdp.frags`, `xdp/devmap`, ...). */
export function isXdpSection(section: string): boolean {
  return section === 'xdp' || section.startsWith('xdp.') || section.startsWith('xdp/');
}

/** True for the sections `xdp-meta run` can wrap and capture: XDP (`xdp*`) and TC (`tc`, `tc/...`, `tcx/...`, `classifier`). */
export function isCaptureSection(section: string): boolean {
  return isXdpSection(section) || /^(?:tc|tcx|classifier)(?:$|[/.])/.test(section);
}

/** `struct NAME { ... } ATTRS;` definitions at any nesting depth, with their attribute state. */
export function findStructs(text: string): StructDef[] {
  const clean = blankCommentsAndStrings(text);
  const regions = preserveRegions(text);
  const out: StructDef[] = [];
  const re = /\bstruct\s+(?:__attribute__\s*\(\([^)]*\)\)\s*)?([A-Za-z_]\w*)\s*\{/g;
  for (const m of clean.matchAll(re)) {
    const open = m.index! + m[0].length - 1;
    const close = matchBrace(clean, open);
    if (close < 0) continue;
    const semi = clean.indexOf(';', close);
    if (semi < 0) continue;
    const tail = clean.slice(close, semi) + clean.slice(m.index!, open);
    out.push({
      name: m[1], start: m.index!, open, close, end: semi,
      hasPreserveAccessIndex: /preserve_access_index/.test(tail),
      inPreserveRegion: regions.some(([a, b]) => m.index! > a && m.index! < b),
    });
  }
  return out;
}

/** [push, pop] offset pairs of `#pragma clang attribute push(__attribute__((preserve_access_index))...)` regions. */
export function preserveRegions(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const stack: Array<number | null> = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*pragma[ \t]+clang[ \t]+attribute[ \t]+(push|pop)\b(.*)$/gm)) {
    if (m[1] === 'push') stack.push(/preserve_access_index/.test(m[2]) ? m.index! : null);
    else {
      const start = stack.pop();
      if (start !== undefined && start !== null) out.push([start, m.index!]);
    }
  }
  for (const s of stack) if (s !== null && s !== undefined) out.push([s, text.length]);
  return out;
}

function matchBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** 0-based line of an offset. */
export function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Offset of the start of a 0-based line (text.length when past the end). */
export function offsetOfLine(text: string, line: number): number {
  let off = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) return text.length;
    off = nl + 1;
  }
  return off;
}

export interface WordAt {
  word: string;
  start: number;
  end: number;
  /** For `X->word` or `X.word`: X (the last identifier before the operator). */
  base?: string;
}

/** The C identifier covering `offset`, and the member-access base when it is a field. */
export function wordAt(text: string, offset: number): WordAt | undefined {
  const isId = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let s = offset, e = offset;
  while (s > 0 && isId(text[s - 1])) s--;
  while (e < text.length && isId(text[e])) e++;
  if (s === e || /[0-9]/.test(text[s])) return undefined;
  const before = text.slice(Math.max(0, s - 80), s);
  const acc = /([A-Za-z_]\w*)\s*(?:\)\s*)?(?:->|\.)\s*$/.exec(before);
  return { word: text.slice(s, e), start: s, end: e, base: acc?.[1] };
}

/** The struct type of a variable declared as `struct T *name` / `struct T name` before `offset`, nearest first. */
export function structTypeOfVariable(text: string, name: string, offset: number): string | undefined {
  const clean = blankCommentsAndStrings(text).slice(0, offset);
  const re = new RegExp(`\\bstruct\\s+([A-Za-z_]\\w*)\\s*(?:\\*\\s*)*(?:const\\s+)?${escapeRe(name)}\\b`, 'g');
  let last: string | undefined;
  for (const m of clean.matchAll(re)) last = m[1];
  return last;
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Leading whitespace of the line containing `offset`. */
export function indentAt(text: string, offset: number): string {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(ls))![0];
}
