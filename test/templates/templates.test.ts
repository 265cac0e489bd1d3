import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type ClangInfo, findClang } from '../../src/core/compile/clang';
import { compileBpf } from '../../src/core/compile/compile';
import { listTemplates } from '../../src/core/compile/templates';
import { CLANG, hasClang } from '../helpers/clang';
import { requireBpffs } from '../helpers/bpffs';
import { isRoot, requirePrereq } from '../helpers/prereq';

const ROOT = path.resolve(__dirname, '../../bpf-templates');
const templates = listTemplates(ROOT);

function hasTool(cmd: string, arg = '--version'): boolean {
  return spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
}


describe('bpf-templates', function () {
  let clang: ClangInfo;
  let out: string;
  const objects = new Map<string, string>();

  before(async function () {
    requirePrereq(this, hasClang(), `${CLANG} to compile the templates`);
    clang = await findClang({ configured: CLANG });
    out = mkdtempSync(path.join(os.tmpdir(), 'compile-templates-'));
  });
  after(() => { if (out) rmSync(out, { recursive: true, force: true }); });

  it('has the three documented templates, each with README, *.bpf.c and Makefile', () => {
    for (const name of ['tc-meta-magic', 'af-xdp-hints', 'xdp-hints-core']) {
      const t = templates.find((x) => x.name === name);
      assert.ok(t, `template ${name}`);
      assert.ok(existsSync(path.join(t.dir, 'Makefile')), `${name}/Makefile`);
      assert.match(readFileSync(path.join(t.dir, 'Makefile'), 'utf8'), /^CLANG \?= clang-19$/m);
    }
    assert.ok(existsSync(path.join(ROOT, 'af-xdp-hints', 'meta.h')));
    assert.match(readFileSync(path.join(ROOT, 'xdp-hints-core', 'README.md'), 'utf8'), /PROPOSED[\s\S]*NEVER MERGED/);
  });

  it('keeps program-owned layouts out of CO-RE and the shared AF_XDP header plain', () => {
    const magic = readFileSync(path.join(ROOT, 'tc-meta-magic', 'meta_magic.h'), 'utf8');
    assert.ok(!/preserve_access_index\s*\)\s*\)/.test(magic.replace(/\/\*[\s\S]*?\*\//g, '')));
    const meta = readFileSync(path.join(ROOT, 'af-xdp-hints', 'meta.h'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
    assert.ok(!/SEC\(|__ksym|bpf_helpers|preserve_access_index/.test(meta));
    const hints = readFileSync(path.join(ROOT, 'xdp-hints-core', 'xdp_hints.h'), 'utf8');
    assert.match(hints, /struct xdp_to_skb_metadata \{[\s\S]*__u32 btf_id;\s*\} __attribute__\(\(preserve_access_index\)\);/);
  });

  for (const t of templates) {
    for (const src of t.sources) {
      it(`${t.name}: ${path.basename(src)} compiles with no diagnostics (-Wall)`, async () => {
        const obj = path.join(out, path.basename(src).replace(/\.c$/, '.o'));
        const r = await compileBpf({ file: src, out: obj, clang, extraFlags: ['-Wall'] });
        assert.deepEqual(r.diagnostics, [], r.stderr);
        assert.ok(r.ok);
        objects.set(t.name, obj);
      });
    }

    it(`${t.name}: its Makefile builds`, function () {
      requirePrereq(this, hasTool('make'), 'make');
      const dir = path.join(out, `make-${t.name}`);
      cpSync(t.dir, dir, { recursive: true });
      execFileSync('make', ['-s', '-C', dir, `CLANG=${clang.path}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      for (const src of t.sources) assert.ok(existsSync(path.join(dir, path.basename(src).replace(/\.c$/, '.o'))));
    });
  }

  describe('loading into this kernel (bpftool prog loadall)', function () {
    const pins: string[] = [];
    before(function () {
      requirePrereq(this, isRoot && hasTool('bpftool', 'version'), 'root and bpftool');
      requireBpffs(this);
    });
    after(() => { for (const p of pins) rmSync(p, { recursive: true, force: true }); });

    function loadall(name: string): { status: number | null; output: string; pinDir: string } {
      const obj = objects.get(name);
      assert.ok(obj, `${name} was compiled above`);
      const pinDir = `/sys/fs/bpf/compile-tpl-${process.pid}-${name}`;
      pins.push(pinDir);
      mkdirSync(pinDir, { recursive: true });
      const r = spawnSync('bpftool', ['prog', 'loadall', obj, pinDir], { encoding: 'utf8' });
      return { status: r.status, output: `${r.stdout}${r.stderr}`, pinDir };
    }

    it('tc-meta-magic: both the XDP writer and the TC reader pass the verifier', () => {
      const r = loadall('tc-meta-magic');
      assert.equal(r.status, 0, r.output);
      assert.ok(existsSync(path.join(r.pinDir, 'xdp_write_meta')));
      assert.ok(existsSync(path.join(r.pinDir, 'tc_read_meta')));
    });

    it('af-xdp-hints: without device binding the kernel demands a device-bound program', () => {
      const r = loadall('af-xdp-hints');
      assert.notEqual(r.status, 0);
      assert.match(r.output, /metadata kfuncs require device-bound program/);
    });

    it('xdp-hints-core: this kernel has no xdp_to_skb_metadata, so CO-RE cannot resolve it', () => {
      const r = loadall('xdp-hints-core');
      assert.notEqual(r.status, 0);
      assert.match(r.output, /failed to resolve CO-RE relocation .*struct xdp_to_skb_metadata/);
    });
  });
});
