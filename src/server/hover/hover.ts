// Hover contents: metadata struct fields (layout here and in the target BTF), XDP metadata kfuncs, BPF helpers.
import type { Hover, MarkupContent } from 'vscode-languageserver/node';
import type { Btf } from '../../core/btf';
import { structTypeOfVariable, wordAt } from '../c-scan';
import { helpers } from './helpers';
import { DEVICE_BOUND_RULE, kfuncByName } from './kfuncs';
import type { DwarfStruct } from '../../core/dwarf/reader';
import { describeLayout, dwarfFieldLayout, fieldLayout } from './layout';
import { structOwnership } from '../../core/check/kernel-owned';

export interface HoverContext {
  text: string;
  offset: number;
  /** BTF of the document's last successful compile. */
  objectBtf?: Btf;
  /** BTF of the target kernel, and what to call it ("running kernel", a file, a host). */
  targetBtf?: () => Btf | undefined;
  targetName: string;
  /** Structs in the DWARF of the document's last successful compile, for those its BTF lacks. */
  objectStructs?: ReadonlyMap<string, DwarfStruct>;
}

export function hoverAt(ctx: HoverContext): Hover | undefined {
  const w = wordAt(ctx.text, ctx.offset);
  if (!w) return undefined;
  const md = kfuncHover(w.word) ?? helperHover(w.word) ?? (w.base ? fieldHover(ctx, w.base, w.word, w.start) : undefined);
  if (!md) return undefined;
  const contents: MarkupContent = { kind: 'markdown', value: md };
  return { contents };
}

function kfuncHover(name: string): string | undefined {
  const k = kfuncByName(name);
  if (!k) return undefined;
  return [
    '```c', k.declaration.replace(/^extern /, ''), '```',
    `XDP metadata kfunc, since Linux **${k.since}**.`, '', k.summary,
    ...(k.history ? ['', k.history] : []), '', DEVICE_BOUND_RULE,
  ].join('\n');
}

function helperHover(name: string): string | undefined {
  if (!name.startsWith('bpf_')) return undefined;
  const h = helpers().get(name);
  if (!h) return undefined;
  const parts = ['```c', h.signature, '```', `BPF helper #${h.id}`, '', h.description];
  if (h.returns) parts.push('', '**Returns** ' + h.returns);
  return parts.join('\n');
}

function fieldHover(ctx: HoverContext, base: string, field: string, at: number): string | undefined {
  const struct = structTypeOfVariable(ctx.text, base, at);
  if (!struct) return undefined;
  let here = ctx.objectBtf ? fieldLayout(ctx.objectBtf, struct, field) : undefined;
  if (!here && ctx.objectStructs) here = dwarfFieldLayout(ctx.objectStructs, struct, field);
  let target: ReturnType<typeof fieldLayout>;
  let targetNote: string | undefined;
  try {
    const t = ctx.targetBtf?.();
    target = t ? fieldLayout(t, struct, field) : undefined;
    if (t && !target) targetNote = t.findByName(struct) ? `no member \`${field}\`` : `no \`struct ${struct}\` (${structOwnership(struct, t, ctx.targetName).why})`;
  } catch (e) {
    targetNote = `unreadable: ${(e as Error).message}`;
  }
  if (!here && !target) return undefined;
  const lines = [`**struct ${struct}**.\`${field}\``, ''];
  lines.push(`- this program: ${here ? describeLayout(here) + ` of ${here.structSize}` : 'not in the last compiled object'}`);
  lines.push(`- ${ctx.targetName}: ${target ? describeLayout(target) + ` of ${target.structSize}` : targetNote ?? 'not known'}`);
  if (here && target && (here.offset !== target.offset || here.size !== target.size)) {
    lines.push('', '⚠ The layouts differ: a fixed-offset read of this field gets the wrong bytes on the target. Use CO-RE: `preserve_access_index` on the struct, or `bpf_core_field_offset()` (not `BPF_CORE_READ`: a probe read, wrong for packet memory).');
  }
  return lines.join('\n');
}
