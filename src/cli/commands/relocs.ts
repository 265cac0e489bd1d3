// `xdp-meta relocs OBJ`: libbpf's CO-RE decision for every relocation of an object against a target BTF.
import { existsSync } from 'node:fs';
import { objectFunctions } from '../../core/bpf/program';
import { KERNEL_BTF_PATH } from '../../core/btf/load';
import { fileTarget, kernelTarget } from '../../core/core-relo/candidates';
import { loadCoreObject } from '../../core/core-relo/object';
import { relocateObject } from '../../core/core-relo/relocate';
import type { CoreReloResult } from '../../core/core-relo/relocate';
import { XdpMetaError } from '../../core/util/errors';
import { defineArgs, parseArgs } from '../args';
import type { CliCommand, CliIo } from '../command';


const ARGS = defineArgs({
  options: {
    'target-btf': { type: 'string', valueName: 'FILE' },
    json: { type: 'boolean' },
    log: { type: 'boolean' },
  },
  positionals: { name: 'OBJ', min: 1, max: 1 },
});

const usage = `usage: xdp-meta relocs OBJ [--target-btf FILE] [--json] [--log]

Resolves every CO-RE relocation of a BPF object the way libbpf does when it loads it, and prints
each decision: program, instruction index (from the start of the function, as libbpf counts),
relocation kind, the access (e.g. 'struct xdp_md::data_meta (0:2)'), the value the compiler
encoded, the value for the target, and why. Poisoned instructions (no match) show target 'poison'.
  --target-btf FILE  raw BTF or an object with .BTF (default: the running kernel, ${KERNEL_BTF_PATH},
                     plus module BTF when vmlinux has no candidate, as libbpf does)
  --json             one JSON object per relocation:
                     {program, section, insn, kind, access, local, target, poison, reason, spec, error?}
                     (target is null when poisoned or failed; 64-bit values beyond 2^53 are strings)
  --log              print libbpf's own debug lines for each relocation instead
Exit status 1 when libbpf would refuse the object (ambiguous candidates, unpatchable instruction).`;

const num = (v: bigint): number | string => (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString());

function line(r: CoreReloResult): string {
  const values = r.error !== undefined ? 'error' : `${r.local} -> ${r.poison ? 'poison' : String(r.target)}`;
  return `${r.program}:${r.insn}\t${r.kind}\t${r.access}\t${values}\t${r.reason}`;
}

export const relocsCommand: CliCommand = {
  name: 'relocs',
  summary: 'resolve CO-RE relocations against a target BTF as libbpf does',
  usage,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { options: { 'target-btf': targetFile, json, log }, positionals: files } = parseArgs(ARGS, argv);
    const obj = loadCoreObject(files[0]!);
    if (!obj.ext || obj.ext.coreRelo.length === 0) {
      // JSON lines: nothing on stdout is the right answer, but say so where a person will see it.
      if (json) io.err(`xdp-meta relocs: ${files[0]}: no CO-RE relocations`);
      else io.out(`${files[0]}: no CO-RE relocations`);
      return 0;
    }
    let target;
    if (targetFile !== undefined) target = fileTarget(targetFile);
    else if (existsSync(KERNEL_BTF_PATH)) target = kernelTarget();
    else throw new XdpMetaError(`${KERNEL_BTF_PATH} does not exist (kernel without CONFIG_DEBUG_INFO_BTF?): pass --target-btf FILE`);
    const records = obj.ext.coreRelo.reduce((n, sec) => n + sec.records.length, 0);
    // Relocations are placed by function symbols: with none, every record would be skipped without a word.
    if (objectFunctions(obj.elf).length === 0) {
      throw new XdpMetaError(`${files[0]}: ${records} CO-RE relocation records but no functions in executable sections (corrupt symbol table?)`);
    }
    const results = relocateObject(obj, target);
    if (results.length === 0) {
      const note = `${files[0]}: all ${records} CO-RE relocation records lie outside the object's functions (libbpf skips them as belonging to eliminated weak subprograms)`;
      if (json) io.err(`xdp-meta relocs: ${note}`);
      else io.out(note);
    }
    for (const r of results) {
      if (log) for (const l of r.log) io.out(l);
      else if (json) {
        io.out(JSON.stringify({
          program: r.program, section: r.section, insn: r.insn, kind: r.kind, access: r.access, local: num(r.local),
          target: r.target === null ? null : num(r.target), poison: r.poison, reason: r.reason, spec: r.spec,
          ...(r.error !== undefined ? { error: r.error } : {}),
        }));
      } else io.out(line(r));
    }
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  },
};
