import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import {
  countDiagnostics, formatDiagnostic, parseClangDiagnostics, unescapeClangString,
} from '../../../src/core/compile/diagnostics';

describe('core/compile/diagnostics', () => {
  it('parses located errors, warning options and range info', () => {
    const ds = parseClangDiagnostics([
      '/w/a.bpf.c:4:10:{4:10-4:15}: error: incompatible pointer to integer conversion [-Wint-conversion]',
      '    4 |   return p + 1;',
      '      |          ^~~~~',
      '/w/a.bpf.c:2:7:{2:7-2:13}{3:1-3:2}: warning: unused variable \'x\' [-Wunused-variable]',
      '1 warning and 1 error generated.',
    ].join('\n'));
    assert.equal(ds.length, 2);
    assert.deepEqual(
      { file: ds[0].file, line: ds[0].line, column: ds[0].column, severity: ds[0].severity, option: ds[0].option },
      { file: '/w/a.bpf.c', line: 4, column: 10, severity: 'error', option: '-Wint-conversion' });
    assert.equal(ds[0].message, 'incompatible pointer to integer conversion');
    assert.deepEqual(ds[0].ranges, [{ start: { line: 4, column: 10 }, end: { line: 4, column: 15 } }]);
    assert.equal(ds[1].ranges?.length, 2);
    assert.deepEqual(countDiagnostics(ds), { errors: 1, warnings: 1 });
  });

  it('attaches notes and fix-its to the diagnostic before them', () => {
    const ds = parseClangDiagnostics([
      'x.c:5:5: error: redefinition of \'counter\'',
      'x.c:4:5: note: previous definition is here',
      'x.c:10:17: error: expected \';\' after return statement',
      'fix-it:"x.c":{10:17-10:17}:";"',
    ].join('\n'));
    assert.equal(ds.length, 2);
    assert.equal(ds[0].notes?.[0].line, 4);
    assert.equal(ds[0].notes?.[0].severity, 'note');
    assert.deepEqual(ds[1].fixits, [{ file: 'x.c', range: { start: { line: 10, column: 17 }, end: { line: 10, column: 17 } }, text: ';' }]);
  });

  it('keeps the "In file included from" chain with the diagnostic after it', () => {
    const ds = parseClangDiagnostics([
      'In file included from main.bpf.c:1:',
      'In file included from /usr/include/linux/bpf.h:11:',
      '/usr/include/linux/types.h:5:10: fatal error: \'asm/types.h\' file not found',
      'main.bpf.c:9:1: error: later',
    ].join('\n'));
    assert.equal(ds[0].fatal, true);
    assert.equal(ds[0].severity, 'error');
    assert.deepEqual(ds[0].includeStack, [{ file: 'main.bpf.c', line: 1 }, { file: '/usr/include/linux/bpf.h', line: 11 }]);
    assert.equal(ds[1].includeStack, undefined);
  });

  it('reads driver errors without a location', () => {
    const ds = parseClangDiagnostics([
      'clang-19: error: no such file or directory: \'/x/nope.c\'',
      'error: unable to open output file \'/no/x.o\': \'No such file or directory\'',
      'fatal error: too many errors emitted, stopping now [-ferror-limit=]',
    ].join('\n'));
    assert.deepEqual(ds.map((d) => [d.file, d.line, d.severity]), [['', 0, 'error'], ['', 0, 'error'], ['', 0, 'error']]);
    assert.match(ds[0].message, /no such file or directory/);
  });

  it('moves backend errors to the location in their "could not determine" note and drops repeats', () => {
    const stack = 'Looks like the BPF stack limit is exceeded.';
    const ds = parseClangDiagnostics([
      'f.c:8:5: error: A call to built-in function \'memcpy\' is not supported.',
      'f.c:8:5: note: could not determine the original source location for f.c:13:2',
      `f.c:10:22: error: ${stack}`,
      '',
      `f.c:10:22: error: ${stack}`,
      'f.c:9:1: error: zero',
      'f.c:9:1: note: could not determine the original source location for f.c:0:0',
    ].join('\n'));
    assert.deepEqual(ds.map((d) => [d.line, d.column, d.notes]), [[13, 2, undefined], [10, 22, undefined], [9, 1, undefined]]);
  });

  it('keeps two backend errors that clang reported at the same function start', () => {
    const msg = 'A call to built-in function \'memcpy\' is not supported.';
    const ds = parseClangDiagnostics([
      `/w/m.c:4:5: error: ${msg}`,
      '/w/m.c:4:5: note: could not determine the original source location for m.c:8:2',
      '/w/m.c:4:5: note: could not determine the original source location for m.c:9:2',
      `/w/m.c:4:5: error: ${msg}`,
      '/w/m.c:4:5: note: could not determine the original source location for m.c:9:2',
    ].join('\n'));
    assert.deepEqual(ds.map((d) => [d.file, d.line, d.column]), [['m.c', 8, 2], ['m.c', 9, 2]]);
  });

  it('renames <stdin> and shifts ranges of the #line prologue', () => {
    const ds = parseClangDiagnostics([
      'In file included from <stdin>:3:',
      '/w/inc.h:1:2: error: in header',
      '/w/f.c:4:10:{5:10-5:15}: error: x',
      'fix-it:"/w/f.c":{5:10-5:10}:"*("',
    ].join('\n'), { renameFile: { from: '<stdin>', toFile: '/w/f.c' }, rangeLineShift: { forFile: '/w/f.c', lines: 1 } });
    assert.deepEqual(ds[0].includeStack, [{ file: '/w/f.c', line: 3 }]);
    assert.deepEqual(ds[1].ranges, [{ start: { line: 4, column: 10 }, end: { line: 4, column: 15 } }]);
    assert.equal(ds[1].fixits?.[0].range.start.line, 4);
  });

  it('unescapes fix-it strings', () => {
    assert.equal(unescapeClangString('a\\"b\\\\c\\n\\t\\101\\303\\251'), 'a"b\\c\n\tAé');
  });

  it('ignores noise and never throws on arbitrary text', () => {
    const junk = ['', 'random line', 'PLEASE submit a bug report', 'Stack dump:', ':::', 'a:b:c: error: x', '\u0000\u00ff'];
    assert.deepEqual(parseClangDiagnostics(junk.join('\n')), []);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => {
      const ds = parseClangDiagnostics(`${a}\n${a}:1:2: error: ${b}\nfix-it:"${a}":{1:1-1:2}:"${b}"\n${b}`);
      return Array.isArray(ds);
    }), { numRuns: 300 });
  });

  it('formats as file:line:col: severity: message', () => {
    assert.equal(formatDiagnostic({ file: '/a/b.c', line: 3, column: 4, severity: 'warning', message: 'm', option: '-Wx' }),
      '/a/b.c:3:4: warning: m [-Wx]');
    assert.equal(formatDiagnostic({ file: '', line: 0, column: 0, severity: 'error', message: 'no input' }), 'error: no input');
  });
});
