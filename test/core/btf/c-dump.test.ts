// vmlinux.h generator tests: identical to bpftool's C dump, compiles with clang-19, and keeps every struct layout.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BtfBuilder } from '../../../src/core/btf/builder';
import { dumpC } from '../../../src/core/btf/c-dump';
import { readBtfFile } from '../../../src/core/btf/load';
import type { Btf } from '../../../src/core/btf/types';
import { CLANG } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { allKindsObject, allKindsObjectBE, BPFTOOL, haveBpftool, haveClang, haveVmlinux, run, VMLINUX } from './fixtures';

/**
 * bpftool 7.1 on Debian is built from Linux 6.1's libbpf, which predates libbpf 1.1's
 * `mode(byte)`/`mode(word)` on odd-sized enums; we emit them (the layout needs them), so they are
 * dropped before comparing.
 */
const withoutEnumModes = (c: string): string => c.replace(/ __attribute__\(\(mode\((byte|word)\)\)\)/g, '');

/** True when `id` embeds (not through a pointer) the compiler's va_list, whose size differs between x86 and BPF. */
function embedsVaList(btf: Btf, id: number, memo: Map<number, boolean>): boolean {
  const hit = memo.get(id);
  if (hit !== undefined) return hit;
  memo.set(id, false);
  const t = btf.typeById(id);
  let r = false;
  if (t.kind === 'TYPEDEF') r = /^(__builtin_va_list|__gnuc_va_list|va_list)$/.test(t.name) || embedsVaList(btf, t.typeId, memo);
  else if (t.kind === 'CONST' || t.kind === 'VOLATILE' || t.kind === 'RESTRICT' || t.kind === 'TYPE_TAG') r = embedsVaList(btf, t.typeId, memo);
  else if (t.kind === 'ARRAY') r = embedsVaList(btf, t.elemTypeId, memo);
  else if (t.kind === 'STRUCT' || t.kind === 'UNION') r = t.members.some((m) => embedsVaList(btf, m.typeId, memo));
  memo.set(id, r);
  return r;
}

/** `_Static_assert`s that the compiled header has BTF's size for every uniquely named struct/union and BTF's offset for (every `stride`-th one's) members. */
function layoutAsserts(btf: Btf, stride: number): string {
  const seen = new Map<string, number>();
  for (let id = 1; id < btf.count; id++) {
    const k = btf.kindOf(id);
    if (k === 'STRUCT' || k === 'UNION' || k === 'ENUM' || k === 'ENUM64' || k === 'INT') {
      const n = btf.nameOf(id);
      seen.set(n, (seen.get(n) ?? 0) + 1);
    }
  }
  const out: string[] = [];
  const vaMemo = new Map<number, boolean>();
  let i = 0;
  for (let id = 1; id < btf.count; id++) {
    const k = btf.kindOf(id);
    if (k !== 'STRUCT' && k !== 'UNION') continue;
    const t = btf.typeById(id);
    if (t.kind !== 'STRUCT' && t.kind !== 'UNION') continue;
    if (!t.name || seen.get(t.name) !== 1 || embedsVaList(btf, id, vaMemo)) continue;
    const tag = `${k === 'STRUCT' ? 'struct' : 'union'} ${t.name}`;
    out.push(`_Static_assert(sizeof(${tag}) == ${t.size}, "size of ${tag}");`);
    if (i++ % stride !== 0) continue;
    const names = new Set<string>();
    for (const m of t.members) {
      if (!m.name || m.bitfieldSize || names.has(m.name)) continue;
      names.add(m.name);
      out.push(`_Static_assert(__builtin_offsetof(${tag}, ${m.name}) == ${m.bitOffset / 8}, "${tag}::${m.name}");`);
    }
  }
  return out.join('\n');
}

function compile(dir: string, header: string, program: string): void {
  writeFileSync(path.join(dir, 'vmlinux.h'), header);
  writeFileSync(path.join(dir, 'prog.c'), program);
  try {
    execFileSync(CLANG, ['-target', 'bpf', '-O2', '-g', '-Wno-everything', '-c', 'prog.c', '-o', 'prog.o'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '');
    assert.fail(`header does not compile:\n${stderr.split('\n').slice(0, 30).join('\n')}`);
  }
}

const XDP_PROG = `#include "vmlinux.h"
#define SEC(n) __attribute__((section(n), used))
SEC("xdp") int prog(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *meta = (void *)(long)ctx->data_meta;

	if (meta + sizeof(__u32) > data)
		return XDP_PASS;
	return *(__u32 *)meta ? XDP_DROP : XDP_PASS;
}
char _license[] SEC("license") = "GPL";
`;

describe('core/btf C header (vmlinux.h)', () => {
  let dir: string;

  before(function () {
    requirePrereq(this, haveClang, 'clang-19');
    dir = mkdtempSync(path.join(tmpdir(), 'btf-cdump-'));
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('matches `bpftool btf dump file X format c` for the every-kind fixture (both byte orders)', function () {
    requirePrereq(this, haveBpftool, 'bpftool');
    for (const obj of [allKindsObject(), allKindsObjectBE()]) {
      assert.equal(withoutEnumModes(dumpC(readBtfFile(obj))), run(BPFTOOL, ['btf', 'dump', 'file', obj, 'format', 'c']));
    }
  });

  it('the fixture header compiles and has every struct layout of the BTF', () => {
    const btf = readBtfFile(allKindsObject());
    const header = dumpC(btf);
    assert.match(header, /^#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n/);
    assert.match(header, /#pragma clang attribute push \(__attribute__\(\(preserve_access_index\)\), apply_to = record\)/);
    assert.match(header, /struct packed_rec \{[^}]*\} __attribute__\(\(packed\)\);/);
    assert.match(header, /\tunsigned int a: 3;/);
    assert.match(header, /enum big_enum \{\n\tBE_SMALL = 1ULL,/);
    compile(dir, header, `#include "vmlinux.h"\n${layoutAsserts(btf, 1)}\nint use(struct nested *n) { return n->typed + n->matrix[1][2]; }\n`);
  });

  it('matches bpftool for all of vmlinux, compiles with an XDP program, and keeps every layout', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    requirePrereq(this, haveBpftool, 'bpftool');
    this.timeout(180_000);
    const btf = readBtfFile(VMLINUX);
    const header = dumpC(btf);
    assert.equal(withoutEnumModes(header), run(BPFTOOL, ['btf', 'dump', 'file', VMLINUX, 'format', 'c']));
    compile(dir, header, `${XDP_PROG}\n${layoutAsserts(btf, 10)}\n`);
  });

  it('dumps split BTF over vmlinux like `bpftool ... -B vmlinux format c` (a clashing name becomes ___2)', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    requirePrereq(this, haveBpftool, 'bpftool');
    this.timeout(120_000);
    const base = readBtfFile(VMLINUX);
    const b = new BtfBuilder({ base });
    const u32 = base.findByName('__u32', 'TYPEDEF')!.id;
    const ptr = b.ptr(base.findByName('xdp_md', 'STRUCT')!.id);
    b.struct('split_test_meta', 16, [{ name: 'ctx', typeId: ptr, bitOffset: 0 }, { name: 'hash', typeId: u32, bitOffset: 64 }]);
    b.struct('xdp_md', 4, [{ name: 'dup', typeId: u32, bitOffset: 0 }]);
    const file = path.join(dir, 'split.btf');
    writeFileSync(file, b.encode());
    const header = dumpC(readBtfFile(file, { base }));
    assert.match(header, /struct xdp_md___2 \{\n\t__u32 dup;\n\};/);
    assert.equal(withoutEnumModes(header), run(BPFTOOL, ['btf', 'dump', 'file', file, '-B', VMLINUX, 'format', 'c']));
  });

  it('dumps only what one root type needs', function () {
    requirePrereq(this, haveVmlinux, VMLINUX);
    const btf = readBtfFile(VMLINUX);
    const id = btf.findByName('xdp_md', 'STRUCT')!.id;
    const header = dumpC(btf, { rootIds: [id] });
    assert.match(header, /typedef unsigned int __u32;\n\nstruct xdp_md \{\n\t__u32 data;/);
    compile(dir, header, `#include "vmlinux.h"\nint f(struct xdp_md *c) { return c->data_meta; }\n`);
  });
});
