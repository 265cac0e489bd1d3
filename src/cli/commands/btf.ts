// `xdp-meta btf FILE`: summary, JSON, bpftool-style raw text or a C header (vmlinux.h) of a BTF file or an object's .BTF.
import { isElf, parseElf } from '../../core/elf/reader';
import type { ElfFile } from '../../core/elf/types';
import { btfFromElf, parseBtf, readBtfBytes, readBtfFile } from '../../core/btf/load';
import { btfExtFromElf, type BtfExt } from '../../core/btf/ext';
import { dumpC } from '../../core/btf/c-dump';
import { dumpRaw, formatTypeRaw } from '../../core/btf/format-raw';
import { kindCounts, typeToJson } from '../../core/btf/format-json';
import { BTF_KIND_NAMES, type Btf } from '../../core/btf/types';
import { UsageError, XdpMetaError } from '../../core/util/errors';
import type { CliCommand, CliIo } from '../command';

const FORMATS = ['summary', 'json', 'c', 'raw'] as const;
type Format = (typeof FORMATS)[number];

interface BtfArgs {
  file: string;
  format: Format;
  base?: string;
  type?: string;
}

const usage = `usage: xdp-meta btf FILE [--format summary|json|c|raw] [--base FILE] [--type NAME]

FILE is raw BTF (e.g. /sys/kernel/btf/vmlinux) or a BPF object with a .BTF section.
  --format summary  counts per kind, sizes, and the object's .BTF.ext contents (default)
  --format json     every type as JSON (one object with a "types" array)
  --format c        a C header like 'bpftool btf dump file FILE format c' (vmlinux.h)
  --format raw      the text of 'bpftool btf dump file FILE'
  --base FILE       base BTF for split BTF (e.g. --base /sys/kernel/btf/vmlinux for a module)
  --type NAME       only the type(s) named NAME (and, for c, what they need)`;

function parseArgs(argv: string[]): BtfArgs {
  let format: Format = 'summary';
  let base: string | undefined;
  let type: string | undefined;
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (name: string): string => {
      const eq = arg.indexOf('=');
      if (arg.startsWith('--') && eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (arg === '--format' || arg.startsWith('--format=')) {
      const f = value('--format');
      if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not '${f}'`);
      format = f as Format;
    } else if (arg === '--base' || arg.startsWith('--base=')) base = value('--base');
    else if (arg === '--type' || arg.startsWith('--type=')) type = value('--type');
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
    else files.push(arg);
  }
  if (files.length !== 1) throw new UsageError(files.length ? `one FILE at a time, got ${files.length}` : 'missing FILE');
  return { file: files[0]!, format, base, type };
}

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
  const a = parseArgs(argv);
  const base = a.base ? readBtfFile(a.base) : undefined;
  const bytes = readBtfBytes(a.file);
  let btf: Btf;
  let elf: ElfFile | undefined;
  let ext: BtfExt | undefined;
  if (isElf(bytes)) {
    elf = parseElf(bytes, a.file);
    btf = btfFromElf(elf, { base });
    ext = btfExtFromElf(elf, btf);
  } else {
    btf = parseBtf(bytes, a.file, { base });
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
      io.out(dumpC(btf, { rootIds: ids }));
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
