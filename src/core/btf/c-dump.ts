// BTF -> compilable C header (vmlinux.h), with the output of `bpftool btf dump file X format c` (libbpf btf_dump semantics).
//
// Two passes per root type, as libbpf does: a topological ordering (c-dump/order.ts) in which "strong"
// links force full definitions first while "weak" links only need a forward declaration; then emission
// in C syntax (c-dump/emit.ts). Works straight on the wire records (c-dump/raw-table.ts, no type
// objects), so dumping all of vmlinux allocates little more than the output text.
import { XdpMetaError } from '../util/errors';
import { ByteOut } from './c-dump/byte-out';
import { CEmitter } from './c-dump/emit';
import { TypeLayout } from './c-dump/layout';
import { TypeNames } from './c-dump/names';
import { TypeOrder } from './c-dump/order';
import { RawTable } from './c-dump/raw-table';
import { BtfModel } from './model';
import type { Btf } from './types';

export interface CDumpOptions {
  /** Only these root type ids (and what they need); default: every type, as bpftool does. */
  rootIds?: number[];
  /** Emit the `#ifndef __VMLINUX_H__` guard and the preserve_access_index pragma region (default true). */
  header?: boolean;
  /**
   * `__attribute__((mode(byte)))`/`mode(word)` on enums whose BTF size C would not give them (default true, so
   * the header has BTF's layout). false: leave them out, as a bpftool built with libbpf older than the change
   * (libbpf commit e6e0e3fd, Dec 2022; e.g. Debian's bpftool 7.1 from Linux 6.1) prints the header.
   */
  enumModes?: boolean;
}

/** One dump: the ordering pass and the emitter share the raw table; each type is emitted at most once. */
class CDumper {
  private readonly o: ByteOut;
  private readonly order: TypeOrder;
  private readonly emit: CEmitter;

  constructor(btf: BtfModel, enumModes: boolean) {
    this.o = new ByteOut(btf.count * 32);
    const r = new RawTable(btf);
    this.order = new TypeOrder(r);
    this.emit = new CEmitter(r, this.o, new TypeNames(r), new TypeLayout(r), enumModes);
  }

  dumpType(id: number): void {
    for (const q of this.order.order(id)) this.emit.emitType(q, 0);
  }

  /** Text written outside the dumped types (the header's guard and pragma lines). */
  text(s: string): void {
    this.o.s(s);
  }

  result(): string {
    return this.o.toString();
  }

  resultBytes(): Buffer {
    return this.o.toBytes();
  }
}

/** The C header for `btf` (every type, base included for split BTF), as bpftool prints it. */
export function dumpC(btf: Btf, opts: CDumpOptions = {}): string {
  return run(btf, opts).result();
}

/** dumpC's header as the UTF-8 bytes a write of its text gives, made without the text: the CLI writes these. */
export function dumpCBytes(btf: Btf, opts: CDumpOptions = {}): Buffer {
  return run(btf, opts).resultBytes();
}

function run(btf: Btf, opts: CDumpOptions): CDumper {
  if (!(btf instanceof BtfModel)) throw new XdpMetaError(`${btf.source}: C dump needs a BTF from parseBtf/readBtfFile`);
  const d = new CDumper(btf, opts.enumModes ?? true);
  const header = opts.header ?? true;
  if (header) {
    d.text('#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n\n#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n'
      + '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n#endif\n\n');
  }
  try {
    if (opts.rootIds) {
      for (const id of opts.rootIds) {
        if (!(Number.isInteger(id) && id > 0 && id < btf.count)) throw new XdpMetaError(`${btf.source}: no type id ${id}`);
        d.dumpType(id);
      }
    } else {
      for (let id = 1; id < btf.count; id++) d.dumpType(id);
    }
  } catch (e) {
    // Loops are rejected up front; only an absurdly deep (crafted) type chain can still exhaust the stack.
    if (e instanceof RangeError) throw new XdpMetaError(`${btf.source}: type graph too deep to dump as C`, { cause: e });
    throw e;
  }
  if (header) d.text('#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n#endif /* __VMLINUX_H__ */\n');
  return d;
}
