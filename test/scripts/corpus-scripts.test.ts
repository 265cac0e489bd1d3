// corpus-eval's helpers: the raw-log truth on a 6.1-style log (source text, no `@ file:line`) and loading an unknown section as xdp.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fidelity, rawTruth, type LineResolver } from '../../scripts/corpus-truth';
import { retypedObject, typesFor } from '../../scripts/corpus-retype';
import { objectFunctions } from '../../src/core/bpf/program';
import { multiarchIncludeDir } from '../../src/core/compile/arch';
import { parseElf } from '../../src/core/elf/reader';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';

// Written here in 6.1's format: `; source` lines name no file or line.
const LOG_61 = [
  'func#0 @0',
  '0: R1=ctx(off=0,imm=0) R10=fp0',
  '; void *meta = (void *)(long)ctx->data_meta;',
  '0: (61) r2 = *(u32 *)(r1 +8)          ; R1=ctx(off=0,imm=0) R2_w=pkt_meta(off=0,r=0,imm=0)',
  '; return *(__u32 *)meta;',
  '1: (61) r0 = *(u32 *)(r2 +0)',
  'invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)',
  'R2 offset is outside of the packet',
  'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
  '',
].join('\n');

const resolver = (text: string): LineResolver => ({
  lineOf: (insn) => (insn === 1 ? { file: 'm.c', line: 9 } : undefined),
  textOf: (file, line) => (file === 'm.c' && line === 9 ? [`\t${text}`] : []),
});

describe('corpus-eval scripts', () => {
  it('reads the source text of a 6.1 log and checks our line by it', () => {
    const t = rawTruth(LOG_61);
    assert.deepEqual(t, { message: 'invalid access to packet, off=0 size=4, R2(id=0,off=0,r=0)', insn: 1, line: null, processed: 2, text: 'return *(__u32 *)meta;' });
    const ok = fidelity(LOG_61, resolver('return *(__u32 *)meta;'));
    assert.deepEqual(ok.inexact, []);
    assert.equal(ok.ours.line, 9);
    assert.deepEqual(fidelity(LOG_61, resolver('return 0;')).inexact, ['line']);
  });

  it('a log with `@ file:line` keeps reading the line number', () => {
    const log = LOG_61.replace('; return *(__u32 *)meta;', '; return *(__u32 *)meta; @ m.c:9');
    const t = rawTruth(log);
    assert.equal(t.line, 9);
    assert.equal(t.text, undefined);
  });

  it('renames an unknown section to xdp without touching the function name, and the kernel loads it', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const bytes = readFileSync(buildBpfObject('scripts/iproute_section.bpf.c', { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] }));
    assert.deepEqual(typesFor('xdp_iproute'), ['xdp', 'tc']);
    const out = retypedObject(bytes, 'xdp_iproute', 'xdp');
    assert.ok(out);
    const fns = objectFunctions(parseElf(out, 'retyped.o')).filter((f) => f.isProgram);
    assert.deepEqual(fns.map((f) => [f.name, f.section.name]), [['_xdp_iproute', 'xdp']]);
    assert.equal(retypedObject(bytes, 'no_such_section', 'xdp'), undefined);
    if (process.getuid?.() !== 0 || spawnSync('bpftool', ['version']).status !== 0) {
      if (process.env.CI === 'true') assert.fail('root and bpftool are needed to load the retyped object');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'retype-'));
    const pin = `/sys/fs/bpf/retype_test_${process.pid}`;
    try {
      writeFileSync(path.join(dir, 'o.o'), bytes);
      writeFileSync(path.join(dir, 'r.o'), out);
      // The original: libbpf knows no type for the section; the copy loads as XDP, its line info intact.
      assert.notEqual(spawnSync('bpftool', ['prog', 'load', path.join(dir, 'o.o'), pin]).status, 0);
      const r = spawnSync('bpftool', ['-d', 'prog', 'load', path.join(dir, 'r.o'), pin], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      const show = spawnSync('bpftool', ['prog', 'show', 'pinned', pin], { encoding: 'utf8' }).stdout;
      assert.match(show, /xdp\s+name _xdp_iproute/);
      assert.doesNotMatch(r.stderr, /missing \.BTF\.ext (function|line) info/);
      // The kernel got the line info (keyed by the section's name in .BTF.ext): the source shows in the dump.
      const xlated = spawnSync('bpftool', ['prog', 'dump', 'xlated', 'pinned', pin], { encoding: 'utf8' }).stdout;
      assert.match(xlated, /; if \(data \+ 1 > data_end\)/);
    } finally {
      rmSync(pin, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
