// The language server headless: `xdp-meta lsp --stdio` with real clang behind it, spoken to over LSP.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Diagnostic, Hover, MarkupContent } from 'vscode-languageserver-protocol';
import { requirePrereq } from '../helpers/prereq';
import { buildBpfObject, hasClang } from '../helpers/clang';
import type { CheckResult } from '../../src/shared/protocol';
import { applyEdits, LspClient, ROOT } from './lsp-client';

const FIX = path.join(ROOT, 'test/fixtures/server');

describe('language server (xdp-meta lsp --stdio)', function () {
  this.timeout(60_000);
  let client: LspClient;
  let work: string;

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19 for the language server tests');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    work = mkdtempSync(path.join(os.tmpdir(), 'server-test-'));
    for (const f of ['broken.bpf.c', 'kfunc.bpf.c', 'meta.bpf.c']) copyFileSync(path.join(FIX, f), path.join(work, f));
  });
  beforeEach(async () => { client = await LspClient.start({ trusted: true }, work); });
  afterEach(async () => { await client?.stop(); });
  after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

  it('publishes clang errors at the right line and column', async () => {
    const uri = client.open(path.join(work, 'broken.bpf.c'));
    const diags = await client.diagnosticsFor(uri);
    const err = diags.find((d) => d.severity === 1);
    assert.ok(err, `no error in ${JSON.stringify(diags)}`);
    assert.equal(err.range.start.line, 11);
    assert.equal(err.range.start.character, 8);
    assert.equal(err.source, 'clang');
    assert.match(err.message as string, /undeclared identifier 'no_such_action'/);
  });

  it('publishes an empty list for a clean program and reports the timing', async () => {
    const uri = client.open(path.join(work, 'meta.bpf.c'));
    const diags = await client.diagnosticsFor(uri);
    assert.deepEqual(diags.filter((d) => d.severity === 1), []);
    const r = await client.until('a check result', () => client.results.find((x) => x.uri === uri));
    assert.equal(r.status, 'ok');
    assert.ok(r.compileMs > 0);
  });

  it('compiles the buffer, not the file, and the newest edit wins', async () => {
    const file = path.join(work, 'meta.bpf.c');
    const good = readFileSync(file, 'utf8');
    const uri = client.open(file);
    await client.diagnosticsFor(uri, 1);
    // Several quick edits: only the last (which has an error on line 24) may publish.
    let v = 0;
    for (let i = 0; i < 4; i++) v = client.change(uri, good.replace('meta->stamp = 0;', `meta->stamp = 0; /* edit ${i} */`));
    v = client.change(uri, good.replace('meta->stamp = 0;', 'meta->stamp = undefined_thing;'));
    const diags = await client.diagnosticsFor(uri, v);
    assert.equal(diags.filter((d) => d.severity === 1).length, 1);
    assert.equal(diags[0].range.start.line, 24);
    assert.deepEqual([...client.diagnostics.values()].filter((p) => p.uri === uri).map((p) => p.version), [v]);
    assert.equal(readFileSync(file, 'utf8'), good, 'the file on disk is untouched');
  });

  it('compiles the first edit after an open at version 0 (as Neovim numbers them)', async () => {
    const file = path.join(work, 'meta.bpf.c');
    const good = readFileSync(file, 'utf8');
    const uri = client.open(file, good, 0);
    await client.diagnosticsFor(uri, 0);
    const v = client.change(uri, good.replace('meta->stamp = 0;', 'meta->stamp = nvim_thing;'));
    assert.equal(v, 1);
    const diags = await client.diagnosticsFor(uri, 1);
    assert.match(String(diags[0]?.message), /nvim_thing/);
  });

  it('offers the __ksym declaration of a metadata kfunc, and the error goes away', async () => {
    const file = path.join(work, 'kfunc.bpf.c');
    const text = readFileSync(file, 'utf8');
    const uri = client.open(file);
    const diags = await client.diagnosticsFor(uri, 1);
    const err = diags.find((d) => String(d.message).includes('bpf_xdp_metadata_rx_hash'));
    assert.ok(err, JSON.stringify(diags));
    assert.equal(err.range.start.line, 12);
    const actions: CodeAction[] = await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri }, range: err.range, context: { diagnostics: [err] },
    });
    const fix = actions.find((a) => /Declare the kfunc bpf_xdp_metadata_rx_hash/.test(a.title));
    assert.ok(fix, `actions: ${actions.map((a) => a.title).join(', ')}`);
    const fixed = applyEdits(text, fix.edit!.changes![uri]);
    assert.match(fixed, /extern int bpf_xdp_metadata_rx_hash\(.*\) __ksym;/);
    const v = client.change(uri, fixed);
    const after = await client.diagnosticsFor(uri, v);
    assert.deepEqual(after.filter((d) => d.severity === 1), []);
  });

  it('shows code lenses above each XDP program', async () => {
    const uri = client.open(path.join(work, 'meta.bpf.c'));
    const lenses: CodeLens[] = await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => l.command?.title), ['Check', 'Load and show verifier log', 'Run on host']);
    assert.ok(lenses.every((l) => l.range.start.line === 11));
    assert.deepEqual(lenses[0].command?.arguments?.[0], { uri, functionName: 'xdp_producer', section: 'xdp', line: 11 });
  });

  it('hovers: metadata field layout, helper signature, kfunc version and device-bound rule', async () => {
    const file = path.join(work, 'meta.bpf.c');
    const text = readFileSync(file, 'utf8');
    const uri = client.open(file);
    await client.diagnosticsFor(uri); // the object's BTF is there once diagnostics are
    const hover = async (needle: string, delta = 0): Promise<string> => {
      const off = text.indexOf(needle) + delta;
      const before = text.slice(0, off).split('\n');
      const h: Hover | null = await client.conn.sendRequest('textDocument/hover', {
        textDocument: { uri }, position: { line: before.length - 1, character: before[before.length - 1].length },
      });
      return h ? (h.contents as MarkupContent).value : '';
    };
    const stamp = await hover('meta->stamp', 7);
    assert.match(stamp, /struct meta\*\*\.`stamp`/);
    assert.match(stamp, /this program: offset 8, size 8 of 16/);
    assert.match(stamp, /running kernel: no `struct meta` \(program-owned\)/);
    const helper = await hover('bpf_xdp_adjust_meta', 3);
    assert.match(helper, /long bpf_xdp_adjust_meta\(struct xdp_md \*xdp_md, int delta\)/);
    assert.match(helper, /BPF helper #54/);

    const kuri = client.open(path.join(work, 'kfunc.bpf.c'));
    const ktext = readFileSync(path.join(work, 'kfunc.bpf.c'), 'utf8');
    const koff = ktext.split('\n').findIndex((l) => l.includes('bpf_xdp_metadata_rx_hash'));
    const kh: Hover = await client.conn.sendRequest('textDocument/hover', { textDocument: { uri: kuri }, position: { line: koff, character: 10 } });
    const kv = (kh.contents as MarkupContent).value;
    assert.match(kv, /since Linux \*\*6\.3\*\*/);
    assert.match(kv, /device-bound/);
    assert.match(kv, /rss_type/);
  });

  it('leaves other C files alone', async () => {
    const plain = path.join(work, 'plain.c');
    writeFileSync(plain, 'int main(void) { return nope; }\n');
    const uri = client.open(plain);
    const r = await client.conn.sendRequest('xdpMeta/checkNow', { uri });
    assert.equal(r, null);
    assert.equal(client.diagnostics.has(uri), false);
  });
});

describe('language server in an untrusted workspace', function () {
  this.timeout(30_000);
  it('runs no compiler and says so', async () => {
    const client = await LspClient.start({ trusted: false });
    try {
      const uri = client.open(path.join(FIX, 'broken.bpf.c'));
      const r: CheckResult = await client.until('untrusted result', () => client.results.find((x) => x.uri === uri));
      assert.equal(r.status, 'untrusted');
      assert.deepEqual(await client.diagnosticsFor(uri), []);
      const lenses: CodeLens[] = await client.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: pathToFileURL(path.join(FIX, 'broken.bpf.c')).href } });
      assert.equal(lenses.length, 3);
    } finally {
      await client.stop();
    }
  });
});

describe('language server with the metadata check', function () {
  this.timeout(60_000);
  const CHECK = path.join(ROOT, 'test/fixtures/check');
  let client: LspClient;

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19 for the language server tests');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  });
  afterEach(async () => { await client?.stop(); });

  /** Opens a check fixture in place (the buffer changes, the file does not), returns its diagnostics with `code`. */
  async function openCheck(name: string, code: string) {
    const file = path.join(CHECK, name);
    const uri = client.open(file);
    const diags = (await client.diagnosticsFor(uri, 1)).filter((d) => d.code === code);
    return { file, uri, text: readFileSync(file, 'utf8'), diags };
  }

  async function applyFix(uri: string, text: string, d: Diagnostic, title: RegExp): Promise<Diagnostic[]> {
    const actions: CodeAction[] = await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri }, range: d.range, context: { diagnostics: [d] },
    });
    const fix = actions.find((a) => title.test(a.title));
    assert.ok(fix, `no action ${title} among: ${actions.map((a) => a.title).join(' | ')}`);
    const v = client.change(uri, applyEdits(text, fix.edit!.changes![uri]));
    return client.diagnosticsFor(uri, v);
  }

  it('meta-bounds: publishes the code with a rule link, and the bounds-check fix clears it', async () => {
    client = await LspClient.start({ trusted: true });
    const { uri, text, diags } = await openCheck('meta_bounds_none.bpf.c', 'meta-bounds');
    assert.deepEqual(diags.map((d) => d.range.start.line), [15, 16]);
    assert.equal(diags[0].source, 'xdp-meta');
    assert.equal(diags[0].severity, 1);
    assert.match(diags[0].codeDescription!.href, /rules\.md#meta-bounds$/);
    const after = await applyFix(uri, text, diags[0], /Add the bounds check/);
    assert.deepEqual(after.filter((d) => d.code === 'meta-bounds'), []);
    assert.deepEqual(after.filter((d) => d.severity === 1), []);
  });

  it('core-unresolved: dropping preserve_access_index from the program-owned struct clears it', async () => {
    client = await LspClient.start({ trusted: true });
    const { uri, text, diags } = await openCheck('core_unresolved_fire.bpf.c', 'core-unresolved');
    assert.equal(diags.length, 2);
    assert.match(diags[0].message as string, /my_meta/);
    const after = await applyFix(uri, text, diags[0], /Drop preserve_access_index/);
    assert.deepEqual(after.filter((d) => d.severity === 1), []);
  });

  it('meta-not-core against a target BTF setting: marking the struct for CO-RE clears it', async () => {
    const target = buildBpfObject('check/kernel_a.c');
    client = await LspClient.start({ trusted: true, settings: { check: { targetBtf: target } } });
    const { uri, text, diags } = await openCheck('meta_not_core_fire.bpf.c', 'meta-not-core');
    assert.ok(diags.length > 0, 'meta-not-core fires');
    const after = await applyFix(uri, text, diags[0], /Mark struct xdp_to_skb_metadata for CO-RE/);
    assert.deepEqual(after.filter((d) => d.code === 'meta-not-core'), []);
  });

  it('kfunc-devbound: an info on each metadata kfunc call', async () => {
    client = await LspClient.start({ trusted: true });
    const { diags } = await openCheck('kfunc_hash.bpf.c', 'kfunc-devbound');
    assert.ok(diags.length >= 1);
    assert.equal(diags[0].severity, 3);
    assert.match(diags[0].message as string, /device-bound/);
  });
});
