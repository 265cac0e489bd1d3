// Output formats of the check: compiler-style text, JSON and SARIF 2.1.0 (GitHub code scanning).
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import { RULES, ruleHelpUri, RULES_DOC_URL } from './rules/index';
import type { CheckResult, Diagnostic } from './types';

export interface FormatOptions {
  /** Paths are shown (text) and written (SARIF uris) relative to this directory; default the cwd. */
  baseDir?: string;
  /** Tool version for SARIF. */
  version?: string;
}

function relative(file: string, baseDir: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(baseDir, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** `file:line:col: severity: message [code]`, related locations indented below. */
export function formatText(result: CheckResult, opts: FormatOptions = {}): string {
  const base = opts.baseDir ?? process.cwd();
  const lines: string[] = [];
  for (const d of result.diagnostics) {
    lines.push(`${relative(d.file, base)}:${d.line}:${d.column ?? 1}: ${d.severity}: ${d.message} [${d.code}]`);
    for (const r of d.related ?? []) lines.push(`  ${relative(r.file, base)}:${r.line}: note: ${r.message}`);
  }
  const n = (s: Diagnostic['severity']) => result.diagnostics.filter((d) => d.severity === s).length;
  lines.push(`${n('error')} error(s), ${n('warning')} warning(s), ${n('info')} info`);
  return lines.join('\n');
}

/** `{ "diagnostics": [...] }` with stable key order. */
export function formatJson(result: CheckResult): string {
  return JSON.stringify({ diagnostics: result.diagnostics }, null, 2);
}

const SARIF_LEVEL: Record<Diagnostic['severity'], Sarif.Result.level> = { error: 'error', warning: 'warning', info: 'note' };

function sarifUri(file: string, baseDir: string): Sarif.ArtifactLocation {
  const rel = relative(file, baseDir);
  if (path.isAbsolute(rel)) return { uri: `file://${rel.split(path.sep).map(encodeURIComponent).join('/')}` };
  return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

/** SARIF 2.1.0 log with one run: the rule table as tool.driver.rules, one result per diagnostic. */
export function formatSarif(result: CheckResult, opts: FormatOptions = {}): string {
  const base = opts.baseDir ?? process.cwd();
  const ruleIndex = new Map(RULES.map((r, i) => [r.code, i]));
  const location = (file: string, line: number, column?: number, endColumn?: number): Sarif.Location => ({
    physicalLocation: {
      artifactLocation: sarifUri(file, base),
      // endColumn is exclusive in SARIF as in ours: the whole expression, as the editor underlines it.
      region: { startLine: Math.max(1, line), ...(column ? { startColumn: column } : {}), ...(column && endColumn ? { endColumn } : {}) },
    },
  });
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'xdp-meta',
          informationUri: RULES_DOC_URL,
          version: opts.version ?? '0.1.0',
          rules: RULES.map((r) => ({
            id: r.code,
            name: r.code.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
            shortDescription: { text: r.title },
            helpUri: ruleHelpUri(r.code),
            defaultConfiguration: { level: SARIF_LEVEL[r.severity] },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { uri: `file://${base.endsWith('/') ? base : base + '/'}` } },
      results: result.diagnostics.map((d) => ({
        ruleId: d.code,
        ruleIndex: ruleIndex.get(d.code) ?? 0,
        level: SARIF_LEVEL[d.severity],
        message: { text: d.message },
        locations: [location(d.file, d.line, d.column, d.endColumn)],
        ...(d.related?.length
          ? { relatedLocations: d.related.map((r, i) => ({ id: i + 1, ...location(r.file, r.line), message: { text: r.message } })) }
          : {}),
        partialFingerprints: { 'xdpMetaCheck/v1': fingerprint(d, base) },
        ...(d.program !== undefined || d.insn !== undefined ? { properties: { program: d.program, insn: d.insn } } : {}),
      })),
    }],
  };
  return JSON.stringify(log, null, 2);
}

/** A fingerprint that survives line shifts: code, file, program and message (FNV-1a, hex). */
function fingerprint(d: Diagnostic, base: string): string {
  const s = `${d.code}|${relative(d.file, base)}|${d.program ?? ''}|${d.message}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h.toString(16).padStart(8, '0');
}
