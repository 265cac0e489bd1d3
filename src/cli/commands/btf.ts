// `xdp-meta btf FILE`: summary, JSON, bpftool-style raw text or a C header (vmlinux.h) of a BTF file or an object's .BTF.
import { isElf, parseElf } from '../../core/elf/reader';
import type { ElfFile } from '../../core/elf/types';
import { btfFromElf, kernelBtfAt, parseBtf, readBtfBytes, readBtfFile } from '../../core/btf/load';
import { btfExtFromElf, type BtfExt } from '../../core/btf/ext';
import { dumpC, dumpCBytes } from '../../core/btf/c-dump';
import { bpftoolEnumModes } from '../../core/btf/bpftool-dialect';
import { dumpRaw, formatTypeRaw } from '../../core/btf/format-raw';
import { kindCounts, typeToJson } from '../../core/btf/format-json';
import { BTF_KIND_NAMES, type Btf } from '../../core/btf/types';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import { defineArgs, formatOptions, parseArgs } from '../args';
import type { CliCommand, CliIo } from '../command';

const FORMATS = ['summary', 'json', 'c', 'raw'] as const;

const ARGS = defineArgs({
  options: {
    format: { type: 'string', choices: FORMATS, default: 'summary', description: 'what to print (default summary; see below)' },
    base: { type: 'string', valueName: 'FILE', description: 'base BTF for split BTF (e.g. --base /sys/kernel/btf/vmlinux for a module)' },
    type: { type: 'string', valueName: 'NAME', description: 'only the type(s) named NAME (and, for c, what they need)' },
    'like-bpftool': { type: 'boolean', description: 'c: exactly what the bpftool on PATH prints (its libbpf\'s enum mode attributes)' },
  },
  positionals: { name: 'FILE', min: 1, max: 1 },
});

const usage = `usage: xdp-meta btf FILE [--format summary|json|c|raw] [--base FILE] [--type NAME] [--like-bpftool]

FILE is raw BTF (e.g. /sys/kernel/btf/vmlinux) or a BPF object with a .BTF section.

${formatOptions(ARGS)}

formats:
  summary  counts per kind, sizes, and the object's .BTF.ext contents
  json     every type as JSON (one object with a "types" array)
  c        a C header like 'bpftool btf dump file FILE format c' (vmlinux.h)
  raw      the text of 'bpftool btf dump file FILE'

The C header forces odd enum sizes with __attribute__((mode(byte)))/mode(word), as libbpf has since
Dec 2022, so every struct keeps BTF's layout. A bpftool built with older libbpf code (Debian's 7.1)
leaves them out; --like-bpftool asks the bpftool on PATH which it does and prints the same.`;

function summary(btf: Btf, elf: ElfFile | undefined, ext: BtfExt | undefined): string {
  const lines: string[] = [];
  const own = btf.count - btf.startId;
  lines.push(`${btf.source}: ${elf ? 'object .BTF' : 'raw BTF'}, ${btf.byteOrder}-endian`);
  if (btf.base) lines.push(`split BTF over ${btf.base.source} (${btf.base.count - 1} base types)`);
  lines.push(`types: ${own} (ids ${btf.startId}..${btf.count - 1})`);
  lines.push(`strings: ${btf.stringsSize - (btf.base?.stringsSize ?? 0)} bytes`);
  const counts = kindCounts(btf);
  const width = Math.max(...Object.keys(counts).map((k) => k.length), 4);
  for (const k of BTF_KIND_NAMES) if (counts[k]) lines.push(`  ${k.padEnd(width)}  ${counts[k]}`);
  if (ext) {
    const total = (secs: readonly { records: readonly unknown[] }[]): number => secs.reduce((n, s) => n + s.records.length, 0);
    lines.push('.BTF.ext:');
    lines.push(`  func_info: ${total(ext.funcInfo)} records in ${ext.funcInfo.length} section(s)`);
    lines.push(`  line_info: ${total(ext.lineInfo)} records in ${ext.lineInfo.length} section(s)`);
    lines.push(`  core_relo: ${total(ext.coreRelo)} records in ${ext.coreRelo.length} section(s)`);
    for (const s of ext.coreRelo) {
      for (const r of s.records) {
        const t = btf.typeById(r.typeId);
        lines.push(`    ${s.secName} insn_off=${r.insnOff} ${r.kindName} [${r.typeId}] ${t.kind.toLowerCase()} ${t.name || '(anon)'} access ${r.accessStr}`);
      }
    }
  } else if (elf) {
    lines.push('.BTF.ext: none');
  }
  return lines.join('\n');
}

function selectedIds(btf: Btf, name: string | undefined): number[] | undefined {
  if (name === undefined) return undefined;
  const ids = btf.findIdsByName(name);
  if (ids.length === 0) throw new XdpMetaError(`${btf.source}: no type named '${name}'`);
  return ids;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { options: a, positionals: [file] } = parseArgs(ARGS, argv);
  if (!file) throw new UsageError('missing FILE'); // an empty operand ('') names no file
  if (a['like-bpftool'] && a.format !== 'c') throw new UsageError('--like-bpftool applies to --format c only');
  // Asked before reading FILE: a missing bpftool is the error to report first, and the answer is cached.
  const enumModes = a['like-bpftool'] ? await bpftoolEnumModes() : true;
  const base = a.base ? readBtfFile(a.base) : undefined;
  let btf: Btf;
  let elf: ElfFile | undefined;
  let ext: BtfExt | undefined;
  // The running kernel's BTF comes ready from the user's cache folder (as for check and relocs).
  const kernel = base ? undefined : kernelBtfAt(file);
  if (kernel) {
    btf = kernel;
  } else {
    const bytes = readBtfBytes(file);
    if (isElf(bytes)) {
      elf = parseElf(bytes, file);
      btf = btfFromElf(elf, { base });
      ext = btfExtFromElf(elf, btf);
    } else {
      btf = parseBtf(bytes, file, { base });
    }
  }
  const ids = selectedIds(btf, a.type);
  switch (a.format) {
    case 'summary':
      io.out(summary(btf, elf, ext));
      break;
    case 'json': {
      const types = (ids ?? Array.from({ length: btf.count - btf.startId }, (_, i) => btf.startId + i)).map((id) => typeToJson(btf.typeById(id)));
      io.out(JSON.stringify({ source: btf.source, byteOrder: btf.byteOrder, startId: btf.startId, count: btf.count, types }, null, ids ? 2 : undefined));
      break;
    }
    case 'raw':
      io.out(ids ? ids.map((id) => formatTypeRaw(btf, btf.typeById(id))).join('\n') : dumpRaw(btf));
      break;
    case 'c':
      // vmlinux.h is megabytes: written as the dump's bytes, without a string of it made and encoded again.
      if (io.outBytes) io.outBytes(dumpCBytes(btf, { rootIds: ids, enumModes }));
      else io.out(dumpC(btf, { rootIds: ids, enumModes }));
      break;
  }
  return 0;
}

export const btfCommand: CliCommand = {
  name: 'btf',
  summary: 'show BTF of a raw BTF file or an object: summary, JSON, raw text or a C header',
  usage,
  run,
};
