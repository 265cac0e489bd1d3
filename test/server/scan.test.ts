// Lexical helpers of the server: SEC programs, structs and pragma regions, document globs, clang record layouts.
import { strict as assert } from 'node:assert';
import { findSecPrograms, findStructs, wordAt } from '../../src/server/c-scan';
import { parseRecordLayouts, recordFieldLayout } from '../../src/server/hover/record-layouts';
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

  it('parses clang record layout dumps, bitfields included', () => {
    const dump = `\n*** Dumping AST Record Layout\n         0 | struct s\n     0:0-2 |   unsigned int a\n     0:3-7 |   unsigned int b\n         8 |   char * p\n        16 |   struct s::(unnamed at /tmp/bf.c:1:40) in\n        16 |     int x\n        20 |   int[4] arr\n           | [sizeof=40, align=8]\n`;
    const r = parseRecordLayouts(dump);
    assert.deepEqual(recordFieldLayout(r, 's', 'arr'), { offset: 20, size: 16, bitOffset: 160, bitSize: 0, structSize: 40 });
    assert.deepEqual(recordFieldLayout(r, 's', 'b'), { offset: 0, size: 4, bitOffset: 3, bitSize: 5, structSize: 40 });
    assert.equal(recordFieldLayout(r, 's', 'x'), undefined, 'nested members are not direct members');
  });
});
