// `run` on prebuilt objects, for real: each is wrapped at link time, loaded by the agent on a veth in a namespace, and every verdict decodes.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCaptureObject } from '../../src/core/remote/capture-wrap';
import { LiveCapture, type LiveRow } from '../../src/core/remote/session';
import type { Target } from '../../src/core/remote/transport';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { createVethNs, waitClean, type VethNs } from '../helpers/netns';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { runCapture } from '../helpers/run-capture';

const ROOT = path.resolve(__dirname, '../..');
const FIX = path.join(ROOT, 'test/fixtures/remote');
const TEMPLATES = path.join(ROOT, 'bpf-templates');
const OUR_PROGS = ['xdp_write_meta', 'tc_read_meta', 'xdp_hints_to_xsk', 'xdp_export_hints', 'xdp_sub', 'xdp_first', 'xdp_second', 'xdp_void_ctx', 'xdp_fixed_rows'];
const LOCAL: Target = { kind: 'local' };

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function buildAgent(): boolean {
  try {
    execFileSync('make', ['-s', '-C', path.join(ROOT, 'agent')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch {
    return false;
  }
}

/** The object a user's Makefile would produce (clang -target bpf -O2 -g), in a temp dir under its usual name. */
function object(src: string, dir: string): string {
  const built = buildBpfObject(src, { args: ['-idirafter', '/usr/include/x86_64-linux-gnu', '-I', path.dirname(src)] });
  const out = path.join(dir, path.basename(src).replace(/\.c$/, '.o'));
  copyFileSync(built, out);
  return out;
}


/** The rows of a LiveCapture once `n` arrived (or what came within 10 s), then stops it. */
async function captureRows(s: LiveCapture, n: number, send: () => void): Promise<LiveRow[]> {
  const rows: LiveRow[] = [];
  const got = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    s.on('rows', (b) => {
      rows.push(...b);
      if (rows.length >= n) { clearTimeout(timer); resolve(); }
    });
  });
  send();
  await got;
  const sum = await s.stop();
  assert.equal(sum.detached, 'stopped');
  return rows;
}

describe('remote run on a prebuilt object (wrapped at link time; veth into a namespace)', function () {
  this.timeout(120_000);
  let net: VethNs;
  let dir: string;

  before(function () {
    requirePrereq(this, isRoot, 'root (BPF, netns)');
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, hasBpftool(), 'bpftool (libbpf\'s static linker: bpftool gen object)');
    requirePrereq(this, buildAgent(), 'the agent builds (make -C agent: libbpf-dev libelf-dev zlib1g-dev libzstd-dev)');
    net = createVethNs();
    dir = mkdtempSync(path.join(os.tmpdir(), 'xm-objwrap-test-'));
  });

  after(() => {
    net?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (!net) return;
    assert.deepEqual(await waitClean(net.hostIf, OUR_PROGS), [], `left attached after "${this.currentTest?.title}"`);
  });

  const cliArgs = () => ['--local', '--dev', net.hostIf, '--json', '--duration', '30'];

  it('tc-meta-magic.o: the magic number decoded, and the output says "wrapped at link time"', async () => {
    const obj = object(path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'), dir);
    const r = await runCapture([obj, ...cliArgs(), '--count', '3'], () => net.sendUdp(5));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.rows.length, 3, r.stderr);
    for (const row of r.rows) {
      assert.equal(row.verdict, 'XDP_PASS');
      assert.equal(row.struct, 'meta_magic');
      assert.equal(row.fields?.magic, 0xC0FFEE42);
      assert.equal(row.fields?.ifindex, net.hostIfindex());
    }
    assert.match(r.stderr, /xdp_write_meta attached to .*; capture: wrapped at link time\n/);
  });

  it('tc-meta-magic.o --prog tc_read_meta: the object\'s other entry, a TC program, captured too', async () => {
    const obj = object(path.join(TEMPLATES, 'tc-meta-magic/tc_meta_magic.bpf.c'), dir);
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: obj, program: 'tc_read_meta' });
    assert.equal(s.info.hook, 'tc');
    assert.equal(s.info.objectCapture, 'wrapped at link time');
    const rows = await captureRows(s, 3, () => net.sendUdp(3));
    assert.ok(rows.length >= 3);
    assert.ok(rows.every((r) => r.verdict === 'TC_ACT_OK'));
  });

  it('af-xdp-hints.o: device-bound, the kfunc\'s rx_hash decoded', async () => {
    const obj = object(path.join(TEMPLATES, 'af-xdp-hints/af_xdp_hints.bpf.c'), dir);
    const r = await runCapture([obj, ...cliArgs(), '--count', '2'], () => net.sendUdp(4));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.rows.length, 2, r.stderr);
    assert.match(r.stderr, /device-bound; capture: wrapped at link time/);
    for (const row of r.rows) {
      assert.equal(row.verdict, 'XDP_PASS');
      assert.equal(row.struct, 'xdp_hints_meta');
      assert.notEqual(row.fields?.rx_hash, 0, JSON.stringify(row));
    }
  });

  it('xdp-hints-core.o: a weak __ksym the kernel lacks stays resolved to 0 in the moved entry; no metadata', async () => {
    const obj = object(path.join(TEMPLATES, 'xdp-hints-core/xdp_hints_core.bpf.c'), dir);
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: obj });
    assert.equal(s.info.program, 'xdp_export_hints');
    const rows = await captureRows(s, 3, () => net.sendUdp(3));
    assert.ok(rows.length >= 3);
    assert.ok(rows.every((r) => r.verdict === 'XDP_PASS' && r.meta_len === 0), JSON.stringify(rows[0]));
  });

  it('an object with .text subprograms: every verdict (XDP_DROP too), decoded as the source-wrapped run decodes it', async () => {
    const src = path.join(FIX, 'objwrap_subprogs.bpf.c');
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: object(src, dir) });
    const rows = await captureRows(s, 10, () => net.sendUdp(10));
    assert.deepEqual(new Set(rows.map((r) => r.verdict)), new Set(['XDP_DROP', 'XDP_PASS']));
    for (const r of rows) {
      assert.equal(r.struct, 'sub_meta');
      assert.equal(r.fields?.magic, 0x5ab5ab);
      assert.equal(r.verdict, (Number(r.fields?.seq) & 1) ? 'XDP_DROP' : 'XDP_PASS', JSON.stringify(r));
    }
    const fromSource = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: src });
    assert.equal(fromSource.info.objectCapture, undefined);
    const srcRows = await captureRows(fromSource, 4, () => net.sendUdp(4));
    assert.deepEqual(Object.keys(srcRows[0]!.fields ?? {}), Object.keys(rows[0]!.fields ?? {}));
    assert.equal(srcRows[0]!.struct, rows[0]!.struct);
    assert.equal(srcRows[0]!.meta_len, rows[0]!.meta_len);
  });

  it('an object with two programs in one section: each captured with its own struct', async () => {
    const obj = object(path.join(FIX, 'objwrap_two_entries.bpf.c'), dir);
    const a = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: obj, program: 'xdp_first' });
    const rowsA = await captureRows(a, 3, () => net.sendUdp(3));
    assert.ok(rowsA.length >= 3);
    for (const r of rowsA) {
      assert.equal(r.verdict, 'XDP_PASS');
      assert.equal(r.struct, 'first_meta');
      assert.equal(r.fields?.tag, 0x1111);
    }
    const b = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: obj, program: 'xdp_second' });
    const rowsB = await captureRows(b, 3, () => net.sendUdp(3));
    assert.ok(rowsB.length >= 3);
    for (const r of rowsB) {
      assert.equal(r.verdict, 'XDP_DROP');
      assert.equal(r.struct, 'second_meta');
      assert.equal(r.fields?.tag, 0x2222);
      assert.equal(r.fields?.ifindex, net.hostIfindex());
    }
  });

  it('an entry declared with void *ctx: tagged arg:ctx, so the verifier takes it as the ctx', async () => {
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: object(path.join(FIX, 'objwrap_void_ctx.bpf.c'), dir) });
    const rows = await captureRows(s, 2, () => net.sendUdp(2));
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((r) => r.verdict === 'XDP_PASS' && r.struct === 'void_meta' && r.fields?.tag === 0x7070), JSON.stringify(rows[0]));
  });

  it('an object built without -g (no BTF): why it cannot be wrapped, no temp path named', async () => {
    const src = path.join(FIX, 'objwrap_subprogs.bpf.c');
    const obj = path.join(dir, 'no-btf.o');
    execFileSync('clang-19', ['-target', 'bpf', '-O2', '-idirafter', '/usr/include/x86_64-linux-gnu', '-c', src, '-o', obj]);
    const r = await runCapture([obj, ...cliArgs(), '--count', '1'], () => undefined);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /could not wrap at link time \(.*no-btf\.o: no \.BTF \(built without -g\?\)/);
    assert.doesNotMatch(r.stderr, /xdp-meta-objwrap-|inner\.o|wrapper\.o/);
  });

  it('an object that already carries the capture epilogue (a source wrapper\'s output) is loaded as it is', async () => {
    const b = await buildCaptureObject(path.join(FIX, 'objwrap_subprogs.bpf.c'), { outDir: dir });
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: b.objectPath });
    assert.equal(s.info.objectCapture, undefined);
    assert.equal(s.info.mechanism, 'compile-time-wrapper');
    const rows = await captureRows(s, 2, () => net.sendUdp(2));
    assert.ok(rows.length >= 2 && rows.every((r) => r.struct === 'sub_meta'), JSON.stringify(rows[0]));
  });

  it('an object wrapped before records were sized exactly (fixed 224-byte rows): its rows still decode', async () => {
    const obj = object(path.join(FIX, 'fixed_rows.bpf.c'), dir);
    const s = await LiveCapture.start({ target: LOCAL, dev: net.hostIf, input: obj });
    const rows = await captureRows(s, 2, () => net.sendUdp(2));
    assert.ok(rows.length >= 2, `${rows.length} rows`);
    for (const r of rows) {
      assert.equal(r.struct, 'fixed_meta', JSON.stringify(r));
      assert.equal(r.fields?.magic, 0xF1CED000);
      assert.equal(r.meta_len, 16);
      assert.equal(r.head_hex.length, 2 * Math.min(r.pkt_len, 64), JSON.stringify(r));
    }
  });

  it('no bpftool: freplace is tried, and the error names both (this kernel refuses freplace)', async () => {
    const obj = object(path.join(FIX, 'objwrap_subprogs.bpf.c'), dir);
    const r = await runCapture([obj, ...cliArgs(), '--count', '1'], () => undefined, { env: { ...process.env, XDP_META_BPFTOOL: '/nonexistent/bpftool' } });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /could not wrap at link time \(\/nonexistent\/bpftool: not found: wrapping an object at link time needs bpftool/);
    assert.match(r.stderr, /freplace fallback failed too: .*BPF_PROG_TYPE_EXT/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('a corrupt object: a clear error naming the file, nothing attached', async () => {
    const good = readFileSync(object(path.join(FIX, 'objwrap_subprogs.bpf.c'), dir));
    const bad = path.join(dir, 'truncated.o');
    writeFileSync(bad, good.subarray(0, 300));
    const r = await runCapture([bad, ...cliArgs(), '--count', '1'], () => undefined);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /truncated\.o: at byte offset \d+/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });
});
