// Bad input end to end: every `xdp-meta` command, run as a process, fails on broken input with one clear line.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { isRoot, requirePrereq } from '../helpers/prereq';

const REPO = path.resolve(__dirname, '../..');
const FIX = path.join(REPO, 'test/fixtures');
const LOGS = path.join(FIX, 'verifier/logs');
/** A hang fails the case instead of the suite. */
const CASE_TIMEOUT_MS = 20_000;
const PARALLEL = Math.max(2, Math.min(4, os.cpus().length * 2));

const TMP = path.join(os.tmpdir(), `bad-input-${process.pid}`);
const f = (name: string): string => path.join(TMP, name);

interface Result {
  status: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * error: exit status 1 or 2 (or exactly `code`); stderr's first line is `xdp-meta <command>: ...` and contains each
 * of `names` (anywhere in stderr with `anywhere`), and `byte offset N` with `offset`.
 * custom: its own checks, after the common ones (no stack, no internal error, no hang, no silent success).
 */
type Expect =
  | { kind: 'error'; names: string[]; code?: 1 | 2; offset?: boolean; anywhere?: boolean }
  | { kind: 'custom'; check: (r: Result) => void };

interface Case {
  title: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  stdin?: Buffer;
  expect: Expect;
  /** Starts the agent without sudo only as root (CI runs as root; elsewhere these are skipped). */
  needsRoot?: boolean;
  /** Shorter than CASE_TIMEOUT_MS where a hang also eats memory (reading /dev/zero: gigabytes per second). */
  timeoutMs?: number;
}

const cases: Case[] = [];
const add = (title: string, argv: string[], expect: Expect, more: Partial<Case> = {}): void => {
  cases.push({ title, argv, expect, ...more });
};
const err = (names: string[], extra: Partial<Extract<Expect, { kind: 'error' }>> = {}): Expect => ({ kind: 'error', names, ...extra });

// --- objects: missing, directory, empty, random bytes, text, truncated, corrupted ---------------------------

interface BadObject {
  file: string;
  what: string;
  offset: boolean;
  /** Only the debug info is damaged. */
  btfOnly?: boolean;
  /** Only the code's symbols are damaged: commands that read just the BTF rightly succeed. */
  codeOnly?: boolean;
}
const BAD_OBJECTS: BadObject[] = [
  { file: 'absent.o', what: 'a missing file', offset: false },
  { file: 'a-dir.o', what: 'a directory', offset: false },
  { file: 'empty.o', what: 'an empty file', offset: false },
  { file: 'random.bin', what: 'random bytes', offset: false },
  { file: 'notes.txt', what: 'a text file', offset: false },
  { file: 'cut-ehdr.o', what: 'an object cut inside the ELF header', offset: true },
  { file: 'cut-shdrs.o', what: 'an object cut inside the section header table', offset: true },
  { file: 'cut-btf.o', what: 'an object cut inside .BTF', offset: true },
  { file: 'cut-btf-ext.o', what: 'an object cut inside .BTF.ext', offset: true },
  { file: 'short-btf.o', what: 'an object whose .BTF sh_size is cut in half', offset: true, btfOnly: true },
  { file: 'short-btf-ext.o', what: 'an object whose .BTF.ext sh_size is cut in half', offset: true, btfOnly: true },
  { file: 'btf-magic.o', what: 'a .BTF with a bad magic', offset: true, btfOnly: true },
  { file: 'btf-str-off.o', what: 'a .BTF whose string section starts past its end', offset: true, btfOnly: true },
  { file: 'btf-type-len.o', what: 'a .BTF whose type section runs past its end', offset: true, btfOnly: true },
  { file: 'btf-vlen.o', what: 'a .BTF struct whose members run past the type section', offset: true, btfOnly: true },
  { file: 'btf-ext-magic.o', what: 'a .BTF.ext with a bad magic', offset: true, btfOnly: true },
  { file: 'odd-insns.o', what: 'a program section that is not whole instructions', offset: true },
  { file: 'bad-symbols.o', what: 'a symbol table whose symbols point at no section', offset: false, codeOnly: true },
];

const NOT_ELF = ['empty.o', 'random.bin', 'notes.txt'];

const OBJECT_COMMANDS: { cmd: string; argv: (obj: string) => string[] }[] = [
  { cmd: 'disasm', argv: (o) => ['disasm', o] },
  { cmd: 'relocs', argv: (o) => ['relocs', o, '--target-btf', f('target.o')] },
  { cmd: 'btf', argv: (o) => ['btf', o] },
  { cmd: 'check', argv: (o) => ['check', o, '--target-btf', f('target.o')] },
  { cmd: 'load', argv: (o) => ['load', o] },
  // Live capture on an interface that does not exist: nothing is ever attached.
  { cmd: 'run', argv: (o) => ['run', o, '--local', '--dev', 'bi-nodev0', '--duration', '2'] },
  // Dry run (BPF_PROG_TEST_RUN).
  { cmd: 'run', argv: (o) => ['run', o, '--local', '--test-run', 'udp'] },
];

for (const { cmd, argv } of OBJECT_COMMANDS) {
  for (const b of BAD_OBJECTS) {
    // Sections btf never reads: it rightly shows the BTF of an object whose code is damaged.
    if (cmd === 'btf' && (b.file === 'odd-insns.o' || b.codeOnly)) continue;
    // A run that gets as far as loading needs a real program; these two are covered by load.
    if (cmd === 'run' && (b.file === 'odd-insns.o' || b.codeOnly)) continue;
    if (cmd === 'disasm' && b.btfOnly) {
      // disasm still shows the code when only the debug info is damaged, and says so.
      add(`${cmd}: ${b.what} → code plus a warning naming the file and offset`, argv(f(b.file)), {
        kind: 'custom',
        check: (r) => {
          assert.equal(r.status, 0, r.stderr);
          assert.match(r.stdout, /core_prog/);
          assert.match(firstLine(r.stderr), new RegExp(`^xdp-meta disasm: warning: .*${esc(b.file)}.*byte offset \\d+`));
        },
      });
      continue;
    }
    // load calls a file that is no ELF at all a usage mistake (exit 2); everything else is exit 1.
    const args = argv(f(b.file));
    const title = `${cmd}${cmd === 'run' ? ` ${args.slice(2).join(' ')}` : ''}: ${b.what}`;
    add(title, args, err([b.file], { code: cmd === 'load' && NOT_ELF.includes(b.file) ? 2 : 1, offset: b.offset }));
  }
}

// Damaged BTF that the readers accept but CO-RE arithmetic cannot use: that relocation fails, the others go on.
for (const file of ['bitfield-void.o', 'bitfield-size0.o']) {
  add(`relocs: ${file} (a bitfield whose type is damaged) → a result for every relocation`, ['relocs', f(file), '--target-btf', f('good.o')], {
    kind: 'custom',
    check: (r) => {
      assert.ok(r.status === 0 || r.status === 1, `exit status ${r.status}`);
      assert.match(r.stdout, /^core_tc:1\tFIELD_BYTE_SIZE\tstruct task_like::flags \(0:1\)\t/m);
      assert.match(r.stdout, /^core_prog:0\tFIELD_BYTE_OFFSET\t/m);
    },
  });
}

// A character device would be read forever: refused by name before reading.
for (const argv of [['disasm', '/dev/zero'], ['relocs', '/dev/zero'], ['load', '/dev/zero'], ['log', '/dev/zero'],
  ['relocs', f('good.o'), '--target-btf', '/dev/zero'], ['build', '/dev/zero'], ['btf', '/dev/zero'], ['run', '/dev/zero', '--local', '--test-run', 'udp']]) {
  add(`${argv[0]}: ${argv.join(' ').replace(TMP + '/', '')} (endless device)`, argv, err(['/dev/zero', 'not a regular file'], { code: 1 }),
    { timeoutMs: 3000 });
}
add('btf --base /dev/zero (endless device)', ['btf', f('good.o'), '--base', '/dev/zero'], err(['/dev/zero', 'not a regular file'], { code: 1 }), { timeoutMs: 3000 });
add('check /dev/zero (endless device)', ['check', '/dev/zero', '--target-btf', f('target.o')], err(['/dev/zero', 'not a regular file'], { code: 1 }), { timeoutMs: 3000 });
add('check: a directory', ['check', f('a-dir.o'), '--target-btf', f('target.o')], err(['a-dir.o', 'is a directory'], { code: 1 }));
add('check: an object without any program → an error, not "0 error(s)"', ['check', f('target.o'), '--target-btf', f('target.o')],
  err(['target.o', 'no BPF programs'], { code: 1 }));

// --- run: options naming things that do not exist -------------------------------------------------------------
add('run --struct nosuch → the structs that exist', ['run', f('good.o'), '--local', '--test-run', 'udp', '--struct', 'nosuch'],
  err(['good.o', 'nosuch', 'structs: ', 'task_like'], { code: 1 }));
add('run --test-run /nonexistent.pcap → one line naming the file', ['run', f('good.o'), '--local', '--test-run', '/nonexistent.pcap'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim(), 'xdp-meta run: error: /nonexistent.pcap: no such file');
  },
});
add('run --test-run with a directory as the pcap', ['run', f('good.o'), '--local', '--test-run', f('a-dir.pcap')], err(['a-dir.pcap', 'is a directory'], { code: 1 }));
add('run --clang /nonexistent (a .bpf.c INPUT)', ['run', f('good.bpf.c'), '--local', '--test-run', 'udp', '--clang', '/nonexistent'],
  err(['/nonexistent', 'not found'], { code: 1, anywhere: true }));
// (good.o's CO-RE relocations name test-only structs, so the kernel rejects it: the control is a runnable source.)
add('control: run SOURCE --local --test-run udp prints a verdict', ['run', path.join(FIX, 'remote/drop_every_other.bpf.c'), '--local', '--test-run', 'udp'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^#0 XDP_\w+ meta=\d+ /m);
  },
}, { needsRoot: true });

// Another object's BTF given as the target, broken in the same ways.
for (const t of ['absent.o', 'random.bin', 'cut-btf.o', 'btf-str-off.o']) {
  add(`relocs --target-btf ${t}`, ['relocs', f('good.o'), '--target-btf', f(t)], err([t], { code: 1 }));
}
add('btf --base with random bytes', ['btf', f('good.o'), '--base', f('random.bin')], err(['random.bin'], { code: 1, offset: true }));

// --- build: C source expected -------------------------------------------------------------------------------
for (const [file, what, offset] of [['absent.bpf.c', 'a missing file', false], ['a-dir.o', 'a directory', false],
  ['empty.o', 'an empty file', false], ['random.bin', 'random bytes', true], ['good.o', 'an object', false]] as const) {
  add(`build: ${what}`, ['build', f(file), '-o', f('out.o')], err([file], { code: 1, offset }));
}
add('build: a text file that is not C → clang\'s errors naming it, exit 1', ['build', f('notes.txt'), '-o', f('out.o')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /notes\.txt:1:1: error: /);
    assert.match(r.stderr, /build failed: \d+ errors?/);
  },
});
add('build: --clang /nonexistent', ['build', f('good.bpf.c'), '-o', f('out.o'), '--clang', '/nonexistent'],
  err(['/nonexistent', 'not found'], { code: 1, anywhere: true }));
add('build: --clang naming a file that is not executable', ['build', f('good.bpf.c'), '-o', f('out.o'), '--clang', f('notes.txt')],
  err(['notes.txt', 'not executable'], { code: 1, anywhere: true }));
add('build: --clang naming a directory', ['build', f('good.bpf.c'), '-o', f('out.o'), '--clang', f('a-dir.o')],
  err(['a-dir.o', 'not a file'], { code: 1, anywhere: true }));
add('build: PATH without any clang', ['build', f('good.bpf.c'), '-o', f('out.o')],
  err(['PATH', f('no-clang-bin'), 'none found'], { code: 1, anywhere: true }), { env: { PATH: f('no-clang-bin') } });
add('build: -o into a missing directory → clang\'s error, exit 1', ['build', f('good.bpf.c'), '-o', f('no-such-dir/x.o')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /unable to open output file .*no-such-dir\/x\.o/);
  },
});
// A clang that passes discovery and then misbehaves: success without an object, a crash with no diagnostic.
add('build: a clang that exits 0 but writes no object → failure, not "wrote"', ['build', f('good.bpf.c'), '-o', f('fake.o'), '--clang', f('clang-noobj')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /clang-noobj exited 0 but wrote no object at .*fake\.o/);
    assert.doesNotMatch(r.stderr, /wrote/);
  },
});
add('build: a clang killed by a signal → failure naming it', ['build', f('good.bpf.c'), '-o', f('fake.o'), '--clang', f('clang-crash')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /clang-crash exited with a signal: PLEASE submit a bug report/);
  },
});
add('check: --clang /nonexistent', ['check', f('good.bpf.c'), '--clang', '/nonexistent'], err(['/nonexistent'], { code: 1, anywhere: true }));

// --- doctor: the verdicts are its output --------------------------------------------------------------------
add('doctor: --clang /nonexistent → "missing clang" naming what was tried', ['doctor', '--clang', '/nonexistent'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^missing\s+clang\s+no usable clang: configured clang '\/nonexistent': not found$/m);
  },
});
add('doctor: PATH without any clang', ['doctor'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    assert.match(r.stdout, /^missing\s+clang\s+no usable clang: 'clang' on PATH .*not found; 'clang-NN' on PATH .*none found$/m);
  },
}, { env: { PATH: f('no-clang-bin') } });

// --- log: verifier log text expected ------------------------------------------------------------------------
for (const [file, what, offset] of [['absent.log', 'a missing file', false], ['a-dir.o', 'a directory', false],
  ['empty.o', 'an empty file', false], ['random.bin', 'random bytes', true], ['good.o', 'a BPF object (binary)', true],
  ['notes.txt', 'text that is not a verifier log', false]] as const) {
  add(`log: ${what}`, ['log', f(file)], err([file], { code: 1, offset }));
}
add('log -: empty stdin', ['log', '-'], err(['<stdin>', 'empty'], { code: 1 }), { stdin: Buffer.alloc(0) });
add('log -: binary stdin', ['log', '-'], err(['<stdin>'], { code: 1, offset: true }), { stdin: Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 7]) });

/** An accepted program's log cut before its final statistics line: never "accepted". */
for (const cut of ['cut-good-early.log', 'cut-good-middle.log', 'cut-good-late.log', 'cut-rejected-before-error.log']) {
  add(`log: a truncated verifier log (${cut}, cut mid-line) → verdict unknown, exit 1`, ['log', f(cut)], {
    kind: 'custom',
    check: (r) => {
      assert.equal(r.status, 1, r.stdout);
      assert.match(r.stdout, /verdict unknown/);
      assert.doesNotMatch(r.stdout, /accepted|REJECTED/);
      assert.match(firstLine(r.stderr), new RegExp(`^xdp-meta log: .*${esc(cut)}: the log stops at byte \\d+ in the middle of a line`));
    },
  });
}
add('log --json: a truncated log says verdict "unknown"', ['log', f('cut-good-middle.log'), '--json'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 1);
    const s = JSON.parse(r.stdout) as { verdict: string; error: unknown; truncated: boolean };
    assert.equal(s.verdict, 'unknown');
    assert.equal(s.error, null);
    assert.equal(s.truncated, true);
  },
});

// 48 MB without a newline: joining the pieces once per chunk was quadratic (minutes); it must stay linear.
add('log: a 48 MB file without a newline', ['log', f('one-line.log')], err(['one-line.log', 'no BPF verifier log'], { code: 1 }));

// A rotated log (the kernel kept the tail, so the head is cut mid-line) still has its verdict.
add('log: a rotated log (head cut mid-line) is still read to its verdict', ['log', f('rotated-good.log')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^accepted \(log level 2, \d+ lines, truncated\)/);
  },
});

// --- the same commands on good input succeed and print something: the failures above are not blanket failures ---
for (const argv of [['disasm', 'good.o'], ['relocs', 'good.o', '--target-btf', 'target.o'], ['btf', 'good.o'],
  ['log', path.join(LOGS, 'meta_good.l2.log')], ['build', 'good.bpf.c', '-o', 'good-built.o']]) {
  add(`control: ${argv.join(' ').replace(LOGS + '/', '')} succeeds`, argv.map((a) => (a.includes('/') ? a : a.endsWith('.o') || a.endsWith('.c') ? f(a) : a)), {
    kind: 'custom',
    check: (r) => {
      assert.equal(r.status, 0, r.stderr);
      if (argv[0] === 'build') assert.match(r.stderr, /^wrote .*good-built\.o \(0 errors, 0 warnings\)$/m);
      else assert.notEqual(r.stdout.trim(), '');
    },
  });
}
add('control: relocs --json on an object without CO-RE relocations says so on stderr', ['relocs', f('target.o'), '--json', '--target-btf', f('target.o')], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 0);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /target\.o: no CO-RE relocations/);
  },
});

// --- options: unknown, wrong values, missing values (exit 2, the option named) --------------------------------
for (const cmd of ['build', 'doctor', 'disasm', 'relocs', 'btf', 'log', 'load', 'check', 'run']) {
  add(`${cmd}: unknown option`, [cmd, '--no-such-option', f('good.o')], err(['--no-such-option'], { code: 2 }));
}
add('build --format nope', ['build', f('good.bpf.c'), '--format', 'nope'], err(['--format', 'nope'], { code: 2 }));
add('build --format without a value', ['build', f('good.bpf.c'), '--format'], err(['--format'], { code: 2 }));
add('btf --format nope', ['btf', f('good.o'), '--format', 'nope'], err(['--format', 'nope'], { code: 2 }));
add('check --format nope', ['check', f('good.o'), '--format', 'nope'], err(['--format', 'nope'], { code: 2 }));
add('load --log-level 7', ['load', f('good.o'), '--log-level', '7'], err(['--log-level', '7'], { code: 2 }));
add('load --log-level=7', ['load', f('good.o'), '--log-level=7'], err(['--log-level', '7'], { code: 2 }));
add('load --loader nope', ['load', f('good.o'), '--loader', 'nope'], err(['--loader', 'nope'], { code: 2 }));
add('load --dev without a value', ['load', f('good.o'), '--dev'], err(['--dev'], { code: 2 }));
add('relocs --target-btf without a value', ['relocs', f('good.o'), '--target-btf'], err(['--target-btf'], { code: 2 }));
add('run --log-level 7', ['run', f('good.o'), '--local', '--dev', 'lo', '--log-level', '7'], err(['--log-level'], { code: 2 }));
add('run --mode nope', ['run', f('good.o'), '--local', '--dev', 'lo', '--mode', 'nope'], err(['--mode'], { code: 2 }));
add('an unknown command', ['frobnicate'], {
  kind: 'custom',
  check: (r) => {
    assert.equal(r.status, 2);
    assert.match(firstLine(r.stderr), /^xdp-meta: unknown command 'frobnicate'$/);
  },
});

// --- hostile agents (XDP_META_AGENT): garbage instead of the protocol, or death at start ---------------------
for (const cmd of [['load', f('good.o'), '--loader', 'agent'], ['run', f('good.o'), '--local', '--test-run', 'udp']]) {
  add(`${cmd[0]}: an agent that answers with a login banner (and ignores SIGTERM) → error at once`, cmd,
    err(['localhost', 'not part of the protocol', 'Welcome to Example Linux'], { code: 1 }), { env: { XDP_META_AGENT: f('agent-banner.sh') }, needsRoot: true });
  add(`${cmd[0]}: an agent that dies at start → its stderr in the error`, cmd,
    err(['localhost', 'exit status 3', 'cannot open /sys/fs/bpf'], { code: 1 }), { env: { XDP_META_AGENT: f('agent-dies.sh') }, needsRoot: true });
}

// --- run: an unreachable host (loopback only: test traffic never leaves the machine) -------------------------
add('run: a port where nothing listens', ['run', f('good.o'), '--host', '127.0.0.1', '--port', '1', '--dev', 'lo', '--count', '1'],
  err(['127.0.0.1'], { code: 1, anywhere: true }));

// -----------------------------------------------------------------------------------------------------------

function firstLine(s: string): string {
  return s.split('\n')[0] ?? '';
}

function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** ELF section headers of a little-endian ELF64 file: read here independently of the reader under test. */
function sections(b: Buffer): Map<string, { index: number; offset: number; size: number; hdr: number }> {
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shnum = b.readUInt16LE(0x3c);
  const hdr = (i: number): number => shoff + i * 64;
  const strOff = Number(b.readBigUInt64LE(hdr(b.readUInt16LE(0x3e)) + 24));
  const out = new Map<string, { index: number; offset: number; size: number; hdr: number }>();
  for (let i = 0; i < shnum; i++) {
    const at = strOff + b.readUInt32LE(hdr(i));
    const name = b.subarray(at, b.indexOf(0, at)).toString('latin1');
    out.set(name, { index: i, offset: Number(b.readBigUInt64LE(hdr(i) + 24)), size: Number(b.readBigUInt64LE(hdr(i) + 32)), hdr: hdr(i) });
  }
  return out;
}

/**
 * File offsets of the BTF type records in the .BTF at `btf` (walked by kind and vlen), by id; the first STRUCT,
 * or the STRUCT named `name`.
 */
function btfRecords(b: Buffer, btf: number): number[] {
  const hdrLen = b.readUInt32LE(btf + 4);
  const start = btf + hdrLen + b.readUInt32LE(btf + 8);
  const end = start + b.readUInt32LE(btf + 12);
  const out = [0];
  for (let at = start; at < end;) {
    out.push(at);
    const info = b.readUInt32LE(at + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const extra = [0, 4, 0, 12, 12 * vlen, 12 * vlen, 8 * vlen, 0, 0, 0, 0, 0, 0, 8 * vlen, 4, 12 * vlen, 0, 4, 0, 12 * vlen][kind];
    if (extra === undefined) break;
    at += 12 + extra;
  }
  return out;
}

function findStruct(b: Buffer, btf: number, name?: string): number {
  const strings = btf + b.readUInt32LE(btf + 4) + b.readUInt32LE(btf + 16);
  for (const at of btfRecords(b, btf).slice(1)) {
    if (((b.readUInt32LE(at + 4) >>> 24) & 0x1f) !== 4) continue;
    const n = b.readUInt32LE(at);
    if (name === undefined || b.subarray(strings + n, b.indexOf(0, strings + n)).toString('latin1') === name) return at;
  }
  throw new Error(`fixture has no struct ${name ?? ''} in .BTF`);
}

function writeInputs(good: Buffer, target: Buffer): void {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(f('a-dir.o'), { recursive: true });
  mkdirSync(f('a-dir.pcap'));
  mkdirSync(f('no-clang-bin'));
  writeFileSync(f('good.o'), good);
  writeFileSync(f('target.o'), target);
  writeFileSync(f('empty.o'), '');
  // Fixed bytes, not crypto-random: a failure must replay. Byte 2 is a NUL, as binary files soon have.
  const rnd = Buffer.alloc(4096);
  for (let i = 0, x = 0x2545f491; i < rnd.length; i++) { x = (x * 1103515245 + 12345) >>> 0; rnd[i] = x >>> 24; }
  rnd[0] = 0x93; rnd[1] = 0x1c; rnd[2] = 0;
  writeFileSync(f('random.bin'), rnd);
  writeFileSync(f('notes.txt'), 'hello world, this is not an object\n');
  writeFileSync(f('good.bpf.c'), readFileSync(path.join(FIX, 'compile/good.bpf.c')));
  // The banner agent ignores SIGTERM and sleeps in a child holding its pipes; after() ends the sleeps by pid.
  writeFileSync(f('agent-banner.sh'), `#!/bin/sh\ntrap '' TERM\nread -r line\necho "Welcome to Example Linux 1.0 (GNU/Linux)"\n` +
    `sleep 25 & echo $! >> ${f('agent-pids')}\nwait\n`, { mode: 0o755 });
  const fakeClang = (body: string): string => '#!/bin/sh\ncase "$1" in\n  --version) echo "clang version 19.1.7"; exit 0;;\n' +
    '  -print-targets) echo "    bpf        - BPF (host endian)"; exit 0;;\nesac\n' + body;
  writeFileSync(f('clang-noobj'), fakeClang('exit 0\n'), { mode: 0o755 });
  writeFileSync(f('clang-crash'), fakeClang('echo "PLEASE submit a bug report" >&2\nkill -SEGV $$\n'), { mode: 0o755 });
  writeFileSync(f('agent-dies.sh'), '#!/bin/sh\necho "agent: cannot open /sys/fs/bpf: Permission denied" >&2\nexit 3\n', { mode: 0o755 });

  const s = sections(good);
  const btf = s.get('.BTF')!;
  const ext = s.get('.BTF.ext')!;
  const shoff = Number(good.readBigUInt64LE(0x28));
  const mutate = (name: string, fn: (b: Buffer) => void): void => {
    const b = Buffer.from(good);
    fn(b);
    writeFileSync(f(name), b);
  };
  writeFileSync(f('cut-ehdr.o'), good.subarray(0, 20));
  writeFileSync(f('cut-shdrs.o'), good.subarray(0, shoff + 64 * 3 + 17));
  writeFileSync(f('cut-btf.o'), good.subarray(0, btf.offset + (btf.size >> 1) + 1));
  writeFileSync(f('cut-btf-ext.o'), good.subarray(0, ext.offset + (ext.size >> 1) + 1));
  mutate('short-btf.o', (b) => b.writeBigUInt64LE(BigInt(btf.size >> 1), btf.hdr + 32));
  mutate('short-btf-ext.o', (b) => b.writeBigUInt64LE(BigInt(ext.size >> 1), ext.hdr + 32));
  mutate('btf-magic.o', (b) => b.writeUInt16LE(0x1234, btf.offset));
  mutate('btf-str-off.o', (b) => b.writeUInt32LE(0x100000, btf.offset + 16));
  mutate('btf-type-len.o', (b) => b.writeUInt32LE(0x100000, btf.offset + 12));
  mutate('btf-vlen.o', (b) => { const at = findStruct(b, btf.offset); b.writeUInt32LE((b.readUInt32LE(at + 4) & ~0xffff) | 0xffff, at + 4); });
  mutate('btf-ext-magic.o', (b) => b.writeUInt16LE(0x1234, ext.offset));
  const xdp = s.get('xdp')!;
  // struct task_like { int pid; unsigned int flags : 3; ... }: damage the bitfield's type behind CO-RE's back.
  const taskLike = (b: Buffer): number => findStruct(b, btf.offset, 'task_like');
  mutate('bitfield-void.o', (b) => b.writeUInt32LE(0, taskLike(b) + 12 + 12 + 4));
  mutate('bitfield-size0.o', (b) => {
    const intId = b.readUInt32LE(taskLike(b) + 12 + 12 + 4);
    b.writeUInt32LE(0, btfRecords(b, btf.offset)[intId]! + 8);
  });
  const symtab = s.get('.symtab')!;
  mutate('bad-symbols.o', (b) => { for (let at = symtab.offset + 24; at < symtab.offset + symtab.size; at += 24) b.writeUInt16LE(0x7777, at + 6); });
  mutate('odd-insns.o', (b) => b.writeBigUInt64LE(BigInt(xdp.size - 3), xdp.hdr + 32));

  // Verifier logs cut in the middle of a line, before the final statistics (or before the error).
  const good2 = readFileSync(path.join(LOGS, 'meta_good.l2.log'));
  const statsAt = good2.lastIndexOf('processed ');
  writeFileSync(f('cut-good-early.log'), good2.subarray(0, 37));
  writeFileSync(f('cut-good-middle.log'), good2.subarray(0, (statsAt >> 1) + 5));
  writeFileSync(f('cut-good-late.log'), good2.subarray(0, statsAt - 9));
  writeFileSync(f('rotated-good.log'), good2.subarray(100));
  writeFileSync(f('one-line.log'), Buffer.alloc(48 << 20, 'A'));
  const bad = readFileSync(path.join(LOGS, 'meta_no_bounds.l2.log'));
  writeFileSync(f('cut-rejected-before-error.log'), bad.subarray(0, bad.indexOf('invalid access to packet') - 7));
}

/**
 * The CLI as shipped: src/cli/main.ts bundled with scripts/build.mjs's esbuild options, into a private folder
 * under the repository (dist/ is rebuilt by other jobs meanwhile; the agent is found by walking up from the bundle).
 * XDP_META_TEST_CLI=dist/cli.js runs an existing bundle instead.
 */
function buildTestCli(): { path: string; cleanup: () => void } {
  const given = process.env.XDP_META_TEST_CLI;
  if (given) return { path: path.resolve(REPO, given), cleanup: () => undefined };
  const dir = path.join(REPO, '.cache', `bad-input-cli-${process.pid}`);
  const out = path.join(dir, 'cli.js');
  buildSync({ entryPoints: [path.join(REPO, 'src/cli/main.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20',
    format: 'cjs', sourcemap: true, logLevel: 'warning' });
  return { path: out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function runOne(cli: string, c: Case): Promise<Result> {
  return new Promise((resolve) => {
    const started = performance.now();
    // Only what the CLI needs: no inherited XDP_META_* settings, and a PATH override stays an override.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C', ...c.env };
    const child = spawn(process.execPath, [cli, ...c.argv], { cwd: TMP, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, c.timeoutMs ?? CASE_TIMEOUT_MS);
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString('utf8'); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString('utf8'); });
    child.stdin.on('error', () => undefined);
    child.stdin.end(c.stdin ?? '');
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, timedOut, stdout, stderr, ms: performance.now() - started });
    });
  });
}

async function runAll(cli: string, list: Case[]): Promise<Map<Case, Result>> {
  const results = new Map<Case, Result>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const c = list[next++]!;
      results.set(c, await runOne(cli, c));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return results;
}

function verify(c: Case, r: Result): void {
  const shown = `\n--- status ${r.status} signal ${r.signal} (${r.ms.toFixed(0)} ms)\n--- stdout\n${r.stdout.slice(0, 1500)}\n--- stderr\n${r.stderr.slice(0, 1500)}`;
  assert.ok(!r.timedOut, `no answer within ${c.timeoutMs ?? CASE_TIMEOUT_MS} ms${shown}`);
  assert.equal(r.signal, null, `killed by ${r.signal}${shown}`);
  assert.doesNotMatch(r.stdout + r.stderr, /^\s+at .+[:(]/m, `stack trace${shown}`);
  assert.doesNotMatch(r.stdout + r.stderr, /internal error/i, `internal error${shown}`);
  // build reports on stderr by design ("wrote X.o"); nothing at all would be a silent result.
  if (r.status === 0) assert.notEqual((r.stdout + r.stderr).trim(), '', `success without a word${shown}`);
  const e = c.expect;
  if (e.kind === 'custom') {
    try {
      e.check(r);
    } catch (x) {
      (x as Error).message += shown;
      throw x;
    }
    return;
  }
  if (e.code !== undefined) assert.equal(r.status, e.code, `exit status${shown}`);
  else assert.ok(r.status === 1 || r.status === 2, `exit status 1 or 2${shown}`);
  const line = firstLine(r.stderr);
  const cmd = c.argv[0]!;
  assert.match(line, new RegExp(`^xdp-meta ${esc(cmd)}: `), `first stderr line names the command${shown}`);
  const where = e.anywhere ? r.stderr : line;
  for (const n of e.names) assert.ok(where.includes(n), `stderr ${e.anywhere ? '' : 'first line '}names '${n}'${shown}`);
  if (e.offset) assert.match(line, /byte offset \d+/, `first stderr line gives the byte offset${shown}`);
}

describe('cli: bad input gives one clear error, never a stack, a hang or a silent empty result', function () {
  let results: Map<Case, Result> | undefined;
  let cleanupCli: (() => void) | undefined;

  before(async function () {
    this.timeout(120_000);
    requirePrereq(this, hasClang(), 'clang-19 (to build the fixture objects)');
    const good = readFileSync(buildBpfObject('btf/core-relo.c'));
    const target = readFileSync(buildBpfObject('core-relo/target-alt.c'));
    writeInputs(good, target);
    const cli = buildTestCli();
    cleanupCli = cli.cleanup;
    results = await runAll(cli.path, cases.filter((c) => !c.needsRoot || isRoot));
    if (process.env.XDP_META_TEST_TIMES) {
      console.log([...results].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15).map(([c, r]) => `${r.ms.toFixed(0).padStart(6)} ms  ${c.title}`).join('\n'));
    }
  });

  after(() => {
    cleanupCli?.();
    for (const pid of (existsSync(f('agent-pids')) ? readFileSync(f('agent-pids'), 'utf8') : '').split('\n').filter(Boolean)) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
    }
    rmSync(TMP, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(c.title, function () {
      if (c.needsRoot) requirePrereq(this, isRoot, 'root (the agent is started without sudo)');
      const r = results?.get(c);
      assert.ok(r, 'not run');
      verify(c, r);
    });
  }
});
