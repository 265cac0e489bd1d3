// The declarative option parser behind every `xdp-meta` command: accepted forms and one-line usage errors.
import { strict as assert } from 'node:assert';
import { closestOption, defineArgs, formatOptions, parseArgs, type ArgsSpec } from '../../src/cli/args';
import { UsageError } from '../../src/core/util/errors';

const SPEC = defineArgs({
  options: {
    output: { type: 'string', short: 'o', valueName: 'FILE', description: 'where to write' },
    include: { type: 'list', short: 'I', valueName: 'DIR', description: 'include path' },
    format: { type: 'string', choices: ['text', 'json'], default: 'text', description: 'output format' },
    count: { type: 'number', min: 1, max: 10, integer: true },
    json: { type: 'boolean', description: 'as JSON' },
    'target-btf': { type: 'string', valueName: 'FILE' },
  },
  positionals: { name: 'OBJ', min: 1, max: 1 },
  passthrough: { name: 'FLAGS', description: 'passed on' },
});

/** Asserts a one-line UsageError whose message matches `re`. */
function usageError(argv: string[], re: RegExp, spec: ArgsSpec = SPEC): void {
  assert.throws(() => parseArgs(spec, argv), (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, re);
    assert.ok(!e.message.includes('\n'), e.message);
    return true;
  });
}

describe('cli: args', () => {
  it('defaults: false booleans, empty lists, declared defaults, undefined otherwise', () => {
    const r = parseArgs(SPEC, ['x.o']);
    assert.deepEqual(r.options, { output: undefined, include: [], format: 'text', count: undefined, json: false, 'target-btf': undefined });
    assert.deepEqual(r.positionals, ['x.o']);
    assert.deepEqual(r.passthrough, []);
  });

  it('accepts --opt value, --opt=value, -o value, -oVALUE and repeated lists', () => {
    const r = parseArgs(SPEC, ['--output', 'a', 'x.o', '--format=json', '-I', 'd1', '-Id2', '--include=d3', '--count', '3', '--json']);
    assert.equal(r.options.output, 'a');
    assert.equal(r.options.format, 'json');
    assert.deepEqual(r.options.include, ['d1', 'd2', 'd3']);
    assert.equal(r.options.count, 3);
    assert.equal(r.options.json, true);
    assert.equal(parseArgs(SPEC, ['-o', 'b', 'x.o']).options.output, 'b');
    assert.equal(parseArgs(SPEC, ['-ob', 'x.o']).options.output, 'b');
    assert.equal(parseArgs(SPEC, ['--output=', 'x.o']).options.output, '');
    assert.equal(parseArgs(SPEC, ['--target-btf=a=b', 'x.o']).options['target-btf'], 'a=b');
  });

  it('takes - as an operand and hands everything after -- over untouched', () => {
    const r = parseArgs(SPEC, ['-', '--', '-Wall', '--json', 'y']);
    assert.deepEqual(r.positionals, ['-']);
    assert.deepEqual(r.passthrough, ['-Wall', '--json', 'y']);
    assert.equal(r.options.json, false);
    // Without passthrough, -- just ends the options.
    const plain = defineArgs({ options: { json: { type: 'boolean' } }, positionals: { name: 'FILE', max: 2 } });
    assert.deepEqual(parseArgs(plain, ['--', '--json', 'a']).positionals, ['--json', 'a']);
  });

  it('unknown options: named, with the closest known one when it is close', () => {
    usageError(['x.o', '--fromat', 'json'], /^unknown option '--fromat' \(did you mean '--format'\?\)$/);
    usageError(['x.o', '--targ=x'], /^unknown option '--targ=x' \(did you mean '--target-btf'\?\)$/);
    usageError(['x.o', '--no-such-option'], /^unknown option '--no-such-option'$/);
    usageError(['x.o', '-q'], /^unknown option '-q'/);
    usageError(['x.o', '-jfoo'], /^unknown option '-jfoo'/);
    assert.equal(closestOption(SPEC, '--jsn'), '--json');
    assert.equal(closestOption(SPEC, '--frobnicate'), undefined);
  });

  it('missing values, including a following option taken for one', () => {
    usageError(['x.o', '--format'], /^--format needs a value$/);
    usageError(['x.o', '--target-btf'], /^--target-btf needs a FILE$/);
    usageError(['x.o', '-I'], /^-I needs a DIR$/);
    usageError(['x.o', '--output', '--json'], /^--output needs a FILE$/);
    usageError(['x.o', '--json=yes'], /^--json takes no value/);
  });

  it('choices, numbers and ranges', () => {
    usageError(['x.o', '--format', 'nope'], /^--format must be one of text, json \(got 'nope'\)$/);
    usageError(['x.o', '--count', 'many'], /^--count must be a whole number \(got 'many'\)$/);
    usageError(['x.o', '--count', ''], /^--count must be a whole number/);
    usageError(['x.o', '--count', '2.5'], /^--count must be a whole number \(got '2\.5'\)$/);
    usageError(['x.o', '--count=11'], /^--count must be from 1 to 10 \(got '11'\)$/);
    const n = defineArgs({ options: { rate: { type: 'number', min: 0 }, level: { type: 'number', choices: ['1', '2'] } } });
    assert.equal(parseArgs(n, ['--rate', '0.5']).options.rate, 0.5);
    assert.equal(parseArgs(n, ['--level', '2']).options.level, 2);
    usageError(['--rate', '-1'], /^--rate must be at least 0 \(got '-1'\)$/, n);
    usageError(['--level', '7'], /^--level must be one of 1, 2 \(got '7'\)$/, n);
  });

  it('too few and too many operands', () => {
    usageError([], /^missing OBJ$/);
    usageError(['a.o', 'b.o'], /^unexpected argument 'b\.o': one OBJ at a time, got 2$/);
    const none = defineArgs({ options: {} });
    usageError(['x'], /^unexpected argument 'x' \(this command takes no operands\)$/, none);
    const two = defineArgs({ options: {}, positionals: { name: 'FILE', min: 2, max: 3 } });
    usageError(['a'], /^missing FILE: need at least 2, got 1$/, two);
    usageError(['a', 'b', 'c', 'd'], /^unexpected argument 'd': at most 3 FILE at a time, got 4$/, two);
  });

  it('formats the options part of a usage text from the spec', () => {
    assert.equal(formatOptions(SPEC), [
      '  -o, --output FILE       where to write',
      '  -I, --include DIR...    include path',
      '      --format text|json  output format',
      '      --json              as JSON',
      '  -- FLAGS...             passed on',
    ].join('\n'));
  });
});
