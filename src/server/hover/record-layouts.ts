// Struct layouts as clang computed them (`-Xclang -fdump-record-layouts-complete`), for structs BTF does not carry.
// BTF only holds types reachable from functions and globals; a metadata struct used through a local pointer is not.
import * as path from 'node:path';
import { bpfTargetFlags, runTool, type ClangInfo } from '../../core/compile';
import type { FieldLayout } from './layout';

export interface RecordLayout {
  name: string;
  size: number;
  /** Direct members (offsets from the record's start). */
  members: Array<{ name: string; type: string; offset: number; bitOffset: number; bitSize: number }>;
}

const BASIC: Record<string, number> = {
  char: 1, 'signed char': 1, 'unsigned char': 1, _Bool: 1, __u8: 1, __s8: 1, u8: 1, s8: 1,
  short: 2, 'unsigned short': 2, __u16: 2, __s16: 2, __be16: 2, __le16: 2, __sum16: 2, u16: 2, s16: 2,
  int: 4, 'unsigned int': 4, __u32: 4, __s32: 4, __be32: 4, __le32: 4, __wsum: 4, u32: 4, s32: 4, float: 4,
  long: 8, 'unsigned long': 8, 'long long': 8, 'unsigned long long': 8, __u64: 8, __s64: 8, __be64: 8, __le64: 8, u64: 8, s64: 8, double: 8,
};

/** Parses clang's record layout dump; only top-level named structs and unions are kept. */
export function parseRecordLayouts(dump: string): Map<string, RecordLayout> {
  const out = new Map<string, RecordLayout>();
  for (const block of dump.split('*** Dumping AST Record Layout').slice(1)) {
    const lines = block.split('\n').filter((l) => l.includes('|'));
    const head = /^\s*0 \| (?:struct|union) ([A-Za-z_]\w*)$/.exec(lines[0] ?? '');
    if (!head) continue;
    const rec: RecordLayout = { name: head[1], size: 0, members: [] };
    for (const l of lines.slice(1)) {
      const size = /\[sizeof=(\d+)/.exec(l);
      if (size) { rec.size = Number(size[1]); break; }
      // Direct members are indented by exactly two spaces after the bar: "  16 |   int x", "0:3-7 |   unsigned int b".
      const m = /^\s*(\d+)(?::(\d+)-(\d+))? \|   (\S.*?) ([A-Za-z_]\w*)$/.exec(l);
      if (!m) continue;
      const offset = Number(m[1]);
      const bitOffset = offset * 8 + (m[2] ? Number(m[2]) : 0);
      rec.members.push({ name: m[5], type: m[4], offset, bitOffset, bitSize: m[2] ? Number(m[3]) - Number(m[2]) + 1 : 0 });
    }
    out.set(rec.name, rec);
  }
  return out;
}

/** Size in bytes of a member type spelled as clang prints it, or 0 when unknown. */
export function typeSize(type: string, records: Map<string, RecordLayout>): number {
  const t = type.replace(/\b(const|volatile)\b/g, '').replace(/\s+/g, ' ').trim();
  if (t.endsWith('*')) return 8;
  const arr = /^(.*)\[(\d+)\]$/.exec(t);
  if (arr) return typeSize(arr[1], records) * Number(arr[2]);
  const rec = /^(?:struct|union) ([A-Za-z_]\w*)$/.exec(t);
  if (rec) return records.get(rec[1])?.size ?? 0;
  if (/^enum /.test(t)) return 4;
  return BASIC[t] ?? 0;
}

export function recordFieldLayout(records: Map<string, RecordLayout>, struct: string, field: string): FieldLayout | undefined {
  const rec = records.get(struct);
  const m = rec?.members.find((x) => x.name === field);
  if (!rec || !m) return undefined;
  return { offset: m.offset, size: typeSize(m.type, records), bitOffset: m.bitOffset, bitSize: m.bitSize, structSize: rec.size };
}

/** Runs clang on the buffer for its record layouts (syntax only, ~100 ms). */
export async function dumpRecordLayouts(clang: ClangInfo, sourcePath: string, text: string, includePaths: string[], extraFlags: string[]): Promise<Map<string, RecordLayout>> {
  const args = [...bpfTargetFlags(), ...includePaths.flatMap((p) => ['-I', p]), '-iquote', path.dirname(sourcePath), ...extraFlags,
    '-fsyntax-only', '-Xclang', '-fdump-record-layouts-complete', '-x', 'c', '-'];
  const r = await runTool(clang.path, args, { input: text, cwd: path.dirname(sourcePath), timeoutMs: 20_000 });
  return parseRecordLayouts(r.stdout + '\n' + r.stderr);
}
