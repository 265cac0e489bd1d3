// Helpers of the server: SEC programs, structs and pragma regions, document globs, field layouts from DWARF.
import { strict as assert } from 'node:assert';
import { findSecPrograms, findStructs, wordAt } from '../../src/server/c-scan';
import { readObjectFile } from '../../src/core/bpf/object-file';
import { readDwarf } from '../../src/core/dwarf/reader';
import { dwarfFieldLayout } from '../../src/server/hover/layout';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';
import { DocumentSelector, globToRegExp } from '../../src/server/selector';

describe('server scanning helpers', () => {
  it('finds SEC programs but not SEC maps or SEC inside comments', () => {
    const text = 'struct { } m SEC(".maps");\n// SEC("xdp") int nope(void)\nSEC("xdp.frags")\nint\nxdp_a(struct xdp_md *ctx) {}\nSEC("tc") int tc_b(struct __sk_buff *s) {}\n';
    assert.deepEqual(findSecPrograms(text).map((p) => [p.section, p.functionName, p.line]), [['xdp.frags', 'xdp_a', 2], ['tc', 'tc_b', 5]]);
  });

  it('knows which structs carry preserve_access_index, by attribute or pragma region', () => {
    const text = 'struct a { int x; } __attribute__((preserve_access_index));\n#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\nstruct b { int y; };\n#pragma clang attribute pop\nstruct c { int z; };\n';
    assert.deepEqual(findStructs(text).map((s) => [s.name, s.hasPreserveAccessIndex, s.inPreserveRegion]), [['a', true, false], ['b', false, true], ['c', false, false]]);
  });

  it('reads the member access under the cursor', () => {
    const text = 'x = meta->rx_hash;';
    assert.deepEqual(wordAt(text, text.indexOf('hash')), { word: 'rx_hash', start: 10, end: 17, base: 'meta' });
  });

  it('matches *.bpf.c and configured globs, never other C files', () => {
    const sel = new DocumentSelector();
    assert.ok(sel.matches('file:///w/src/prog.bpf.c'));
    assert.ok(!sel.matches('file:///w/src/user.c'));
    sel.setGlobs(['**/xdp/*.c', 'legacy/{a,b}.c']);
    assert.ok(sel.matches('file:///w/xdp/old.c'));
    assert.ok(sel.matches('file:///w/legacy/b.c'));
    assert.ok(!sel.matches('file:///w/legacy/c.c'));
    assert.ok(globToRegExp('**/*.bpf.c').test('/a/b.bpf.c'));
  });

  it('reads field layouts from the object\'s DWARF, bitfields included', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const r = readDwarf(readObjectFile(buildBpfObject('server/layout.bpf.c')))!.structs;
    assert.deepEqual(dwarfFieldLayout(r, 's', 'arr'), { offset: 20, size: 16, bitOffset: 160, bitSize: 0, structSize: 40 });
    assert.deepEqual(dwarfFieldLayout(r, 's', 'b'), { offset: 0, size: 4, bitOffset: 3, bitSize: 5, structSize: 40 });
    assert.equal(dwarfFieldLayout(r, 's', 'x'), undefined, 'nested members are not direct members');
  });
});
