// Quick fixes for the mechanical cases: kfunc __ksym declarations, metadata bounds checks, CO-RE marking and unmarking.
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  blankCommentsAndStrings, escapeRe, findSecPrograms, findStructs, indentAt, isXdpSection, offsetOfLine, type StructDef,
} from './c-scan';
import { METADATA_KFUNCS } from './hover/kfuncs';

const PRESERVE_ATTR = '__attribute__((preserve_access_index))';

/**
 * What a diagnostic's `data` may hold: the check's fix (`CheckFix` from src/core/check, keyed by `kind`), plus
 * clang's fix-its. Everything is optional; the source text is scanned for what is missing.
 */
export interface FixHints {
  code?: string;
  kind?: 'add-bounds-check' | 'drop-preserve-access-index' | 'use-core-read' | 'declare-kfunc' | 'align-layout';
  struct?: string;
  field?: string;
  /** The metadata pointer variable accessed. */
  pointer?: string;
  /** Bytes from data_meta that must be proven (the access's end). */
  bytesNeeded?: number;
  bytesProven?: number;
  /** 1-based line of the access. */
  accessLine?: number;
  kfunc?: string;
  /** The check's suggested declaration (a `__weak` extern for kfuncs the target may lack). */
  declaration?: string;
  /** clang's own fix-its, already as LSP edits. */
  fixits?: TextEdit[];
}

export function codeActions(doc: TextDocument, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  const text = doc.getText();
  for (const d of diagnostics) {
    const hints = (d.data ?? {}) as FixHints;
    const message = typeof d.message === 'string' ? d.message : d.message.value;
    const code = typeof d.code === 'string' ? d.code : hints.code;
    const fixes: Array<Omit<CodeAction, 'diagnostics' | 'kind'>> = [];
    if (hints.fixits?.length) fixes.push(clangFixit(doc, hints.fixits));
    if (hints.kind === 'declare-kfunc' && hints.kfunc) fixes.push(...declareKfunc(doc, text, hints.kfunc, hints.declaration));
    else {
      const kfunc = METADATA_KFUNCS.find((k) => message.includes(`'${k.name}'`))?.name;
      if (kfunc && /undeclared|implicit/.test(message)) fixes.push(...declareKfunc(doc, text, kfunc));
    }
    if (hints.kind === 'add-bounds-check' || code === 'meta-bounds') fixes.push(...boundsCheck(doc, text, d, hints));
    if (hints.kind === 'drop-preserve-access-index' || code === 'core-unresolved') fixes.push(...dropPreserve(doc, text, d, hints));
    if (hints.kind === 'use-core-read' || code === 'meta-not-core') fixes.push(...markCore(doc, text, d, hints));
    fixes.forEach((f, i) => out.push({ ...f, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: i === 0 }));
  }
  return out;
}

function edit(doc: TextDocument, title: string, edits: TextEdit[]) {
  return { title, edit: { changes: { [doc.uri]: edits } } };
}

function insertAt(doc: TextDocument, offset: number, newText: string): TextEdit {
  const p = doc.positionAt(offset);
  return { range: { start: p, end: p }, newText };
}

/** Just after the last top-of-file `#include` (or at the start when there is none). */
function afterIncludes(text: string): number {
  let at = 0;
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include\b.*(\r?\n|$)/gm)) at = m.index! + m[0].length;
  return at;
}

function declareKfunc(doc: TextDocument, text: string, name: string, declaration?: string) {
  const k = METADATA_KFUNCS.find((x) => x.name === name);
  const decl = declaration ?? k?.declaration;
  if (!decl) return [];
  const existing = new RegExp(`^[ \\t]*extern\\b[^;]*\\b${name}\\s*\\([^;]*\\)[^;]*__ksym[^;]*;`, 'm').exec(text);
  if (existing) {
    // Already declared: only a different (e.g. `__weak`) declaration from the check is worth offering.
    if (!declaration || existing[0].trim() === declaration.trim()) return [];
    const range = { start: doc.positionAt(existing.index), end: doc.positionAt(existing.index + existing[0].length) };
    return [edit(doc, `Declare ${name} __weak (guard calls with bpf_ksym_exists())`, [{ range, newText: declaration }])];
  }
  const at = afterIncludes(text);
  const needsEnum = /enum xdp_rss_hash_type/.test(decl) && !/\benum\s+xdp_rss_hash_type\s*\{/.test(text) && !/vmlinux\.h/.test(text);
  const body = (needsEnum ? 'enum xdp_rss_hash_type;\n' : '') + decl + '\n';
  const since = k ? `, Linux ${k.since}+` : '';
  return [edit(doc, `Declare the kfunc ${name} (__ksym${since})`, [insertAt(doc, at, (at > 0 ? '\n' : '') + body)])];
}

function clangFixit(doc: TextDocument, fixits: TextEdit[]) {
  const what = fixits.length === 1 && fixits[0].newText
    ? `insert '${fixits[0].newText.length > 30 ? fixits[0].newText.slice(0, 30) + '…' : fixits[0].newText}'` : 'apply';
  return edit(doc, `clang fix-it: ${what}`, fixits);
}

function programAt(text: string, line: number) {
  return findSecPrograms(text).filter((p) => p.line <= line).pop();
}

function boundsCheck(doc: TextDocument, text: string, d: Diagnostic, hints: FixHints) {
  const line = hints.accessLine ? hints.accessLine - 1 : d.range.start.line;
  const lineStart = offsetOfLine(text, line);
  const lineText = text.slice(lineStart, offsetOfLine(text, line + 1));
  const pointer = hints.pointer ?? /([A-Za-z_]\w*)\s*->/.exec(lineText)?.[1] ?? /\*\s*\(?\s*([A-Za-z_]\w*)/.exec(lineText)?.[1];
  if (!pointer) return [];
  const prog = programAt(text, line);
  const before = blankCommentsAndStrings(text.slice(prog ? offsetOfLine(text, prog.line) : 0, lineStart));
  // The packet start the metadata must end before: a `data` variable when there is one, else ctx->data.
  const dataVar = [...before.matchAll(/\b([A-Za-z_]\w*)\s*=\s*\(\s*void\s*\*\s*\)\s*\(\s*(?:long|__u64|unsigned long)\s*\)\s*([A-Za-z_]\w*)\s*->\s*data\s*;/g)].pop();
  const ctxName = /\(\s*(?:const\s+)?struct\s+(?:xdp_md|__sk_buff)\s*\*\s*([A-Za-z_]\w*)/.exec(before)?.[1] ?? 'ctx';
  const dataExpr = dataVar ? dataVar[1] : `(void *)(long)${ctxName}->data`;
  const isStructPtr = new RegExp(`\\bstruct\\s+\\w+\\s*\\*\\s*${escapeRe(pointer)}\\b`).test(before);
  // The check knows how many bytes the access needs; without it, a struct pointer needs its whole struct.
  const end = !isStructPtr && hints.bytesNeeded ? `(void *)${pointer} + ${hints.bytesNeeded}` : `(void *)(${pointer} + 1)`;
  const ret = prog && isXdpSection(prog.section) ? 'XDP_PASS' : /\bTC_ACT_OK\b/.test(text) ? 'TC_ACT_OK' : '0 /* TC_ACT_OK */';
  const indent = indentAt(text, lineStart + 1);
  const check = `${indent}if (${end} > ${dataExpr})\n${indent}\treturn ${ret};\n`;
  return [edit(doc, `Add the bounds check: ${pointer} must end before ${dataExpr}`, [insertAt(doc, lineStart, check)])];
}

function structFor(text: string, d: Diagnostic, hints: FixHints): StructDef | undefined {
  const message = typeof d.message === 'string' ? d.message : d.message.value;
  const names = hints.struct ? [hints.struct] : [...message.matchAll(/struct\s+([A-Za-z_]\w*)/g)].map((m) => m[1]);
  const defs = findStructs(text);
  for (const n of names) {
    const def = defs.find((s) => s.name === n);
    if (def) return def;
  }
  return undefined;
}

function dropPreserve(doc: TextDocument, text: string, d: Diagnostic, hints: FixHints) {
  const s = structFor(text, d, hints);
  if (!s) return [];
  if (s.hasPreserveAccessIndex) {
    const edits: TextEdit[] = [];
    for (const [from, to] of [[s.start, s.open], [s.close, s.end]] as const) {
      const seg = text.slice(from, to);
      for (const m of seg.matchAll(/\s*__attribute__\s*\(\(\s*preserve_access_index\s*\)\)/g)) {
        edits.push({ range: { start: doc.positionAt(from + m.index!), end: doc.positionAt(from + m.index! + m[0].length) }, newText: '' });
      }
    }
    if (edits.length) return [edit(doc, `Drop preserve_access_index from the program-owned struct ${s.name}`, edits)];
  }
  if (s.inPreserveRegion) {
    const lineStart = offsetOfLine(text, doc.positionAt(s.start).line);
    const afterEnd = offsetOfLine(text, doc.positionAt(s.end).line + 1);
    return [edit(doc, `Move struct ${s.name} out of the preserve_access_index pragma region`, [
      insertAt(doc, lineStart, '#pragma clang attribute pop\n'),
      insertAt(doc, afterEnd, '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n'),
    ])];
  }
  return [];
}

function markCore(doc: TextDocument, text: string, d: Diagnostic, hints: FixHints) {
  const fixes = [];
  const s = structFor(text, d, hints);
  if (s && !s.hasPreserveAccessIndex && !s.inPreserveRegion) {
    fixes.push(edit(doc, `Mark struct ${s.name} for CO-RE (preserve_access_index)`, [insertAt(doc, s.close + 1, ` ${PRESERVE_ATTR}`)]));
  }
  // Or take this access's offset from CO-RE: `*(typeof(m->f) *)((void *)m + bpf_core_field_offset(m->f))`, a
  // plain packet load or store that libbpf relocates. Not BPF_CORE_READ: that is a probe read of kernel
  // memory (bpf_probe_read_kernel), wrong for packet data and impossible for a store.
  const line = hints.accessLine ? hints.accessLine - 1 : d.range.start.line;
  const ls = offsetOfLine(text, line);
  const lineText = text.slice(ls, offsetOfLine(text, line + 1));
  const re = /([A-Za-z_]\w*)\s*->\s*([A-Za-z_]\w*)(?!\s*(?:->|\.|\[|\())/g;
  const col = d.range.start.character;
  const hits = [...lineText.matchAll(re)].filter((m) => !hints.field || m[2] === hints.field);
  const hit = hits.find((m) => col >= m.index! && col <= m.index! + m[0].length) ?? (hits.length === 1 ? hits[0] : undefined);
  if (hit) {
    const [, ptr, field] = hit;
    const edits: TextEdit[] = [{
      range: { start: doc.positionAt(ls + hit.index!), end: doc.positionAt(ls + hit.index! + hit[0].length) },
      newText: `(*(__typeof__(${ptr}->${field}) *)((void *)${ptr} + bpf_core_field_offset(${ptr}->${field})))`,
    }];
    if (!/bpf_core_read\.h/.test(text)) edits.push(insertAt(doc, afterIncludes(text), '#include <bpf/bpf_core_read.h>\n'));
    fixes.push(edit(doc, `Take the offset of ${ptr}->${field} from CO-RE (bpf_core_field_offset)`, edits));
  }
  return fixes;
}
