// meta-layout-mismatch: producer and consumer inputs use a metadata struct of the same name with different layouts.
import * as path from 'node:path';
import type { AccessFact } from '../analyze';
import type { DwarfStruct } from '../../dwarf/reader';
import type { Diagnostic } from '../types';
import type { Rule } from './rule';
import { site } from './rule';

/** `{mark@0:4, hash@4:4} (8 bytes)`; bitfields as `@byte.bit:bits b`. */
export function describeLayout(s: DwarfStruct): string {
  const m = s.members.map((x) => x.bitSize
    ? `${x.name || '(anon)'}@${Math.floor(x.bitOffset / 8)}.${x.bitOffset % 8}:${x.bitSize}b`
    : `${x.name || '(anon)'}@${x.offset}:${x.size}`);
  return `{${m.join(', ')}} (${s.size} bytes)`;
}

const sameLayout = (a: DwarfStruct, b: DwarfStruct): boolean =>
  a.size === b.size && a.members.length === b.members.length &&
  a.members.every((m, i) => {
    const n = b.members[i]!;
    return m.name === n.name && m.bitOffset === n.bitOffset && m.bitSize === n.bitSize && m.size === n.size;
  });

export const metaLayoutMismatch: Rule = {
  code: 'meta-layout-mismatch',
  severity: 'error',
  title: 'Producer and consumer disagree on a metadata struct layout',
  check(ctx) {
    // First access per metadata struct name, per input.
    const perInput = ctx.analyses.map((an) => {
      const m = new Map<string, AccessFact>();
      for (const a of an.accesses) if (a.struct?.layout && !m.has(a.struct.name)) m.set(a.struct.name, a);
      return m;
    });
    const out: Diagnostic[] = [];
    for (let i = 0; i < perInput.length; i++) {
      for (let j = i + 1; j < perInput.length; j++) {
        for (const [name, a] of perInput[i]!) {
          const b = perInput[j]!.get(name);
          if (!b || sameLayout(a.struct!.layout!, b.struct!.layout!)) continue;
          const la = describeLayout(a.struct!.layout!), lb = describeLayout(b.struct!.layout!);
          const fa = path.basename(a.loc.file), fb = path.basename(b.loc.file);
          for (const [self, other, ls, lo, fs, fo] of [[a, b, la, lb, fa, fb], [b, a, lb, la, fb, fa]] as const) {
            out.push({
              code: 'meta-layout-mismatch', severity: 'error', ...site(self),
              message: `${self.struct!.kind} ${name} has a different layout here than in ${fo}: ${fs} ${ls} vs ${fo} ${lo}; both sides of the data_meta contract must use one definition (share a header)`,
              related: [{ file: other.loc.file, line: other.loc.line, message: `${other.struct!.kind} ${name} as ${fo} lays it out: ${lo}` }],
              fix: { kind: 'align-layout', struct: name, otherFile: other.loc.file, otherLine: other.struct!.layout!.declLine ?? other.loc.line },
            });
          }
        }
      }
    }
    return out;
  },
};
