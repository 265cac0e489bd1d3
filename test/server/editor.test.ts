// The server as an editor sees it: header edits re-check their includers, vmlinux.h and target-BTF actions, one-line messages.
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol';
import { execFileSync } from 'node:child_process';
import { requirePrereq } from '../helpers/prereq';
import { hasClang } from '../helpers/clang';
import { formatSarif, formatText, runCheck } from '../../src/core/check';
import { compileBpf } from '../../src/core/compile';
import { LspClient, ROOT } from './lsp-client';

const HEADER_OK = '#define EDITOR_VERDICT 2 /* XDP_PASS */\n';
const SOURCE = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "verdict.h"

SEC("xdp")
int editor_prog(struct xdp_md *ctx)
{
\treturn EDITOR_VERDICT;
}

char _license[] SEC("license") = "GPL";
`;

describe('language server: headers, actions and messages', function () {
  this.timeout(60_000);
  let client: LspClient | undefined;
  let work: string;

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19 for the language server tests');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  });
  beforeEach(() => { work = mkdtempSync(path.join(os.tmpdir(), 'editor-test-')); });
  afterEach(async () => {
    await client?.stop();
    client = undefined;
    rmSync(work, { recursive: true, force: true });
  });

  const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 1);

  async function waitErrors(c: LspClient, uri: string, pred: (errs: Diagnostic[]) => boolean, what: string): Promise<Diagnostic[]> {
    return c.until(what, () => {
      const p = c.diagnostics.get(uri);
      return p && pred(errors(p.diagnostics)) ? p.diagnostics : undefined;
    });
  }

  it('an unsaved edit of an included header re-checks the source, and so does a change on disk', async () => {
    const header = path.join(work, 'verdict.h');
    writeFileSync(header, HEADER_OK);
    writeFileSync(path.join(work, 'prog.bpf.c'), SOURCE);
    client = await LspClient.start({ trusted: true }, work);
    const uri = client.open(path.join(work, 'prog.bpf.c'));
    await waitErrors(client, uri, (e) => e.length === 0, 'a clean first check');

    // The header's buffer, not its file: the source's diagnostics follow the edit.
    const hUri = client.open(header, HEADER_OK);
    client.change(hUri, '#define EDITOR_VERDICT editor_no_such_verdict\n');
    const broken = await waitErrors(client, uri, (e) => e.length > 0, 'the error the header edit causes');
    assert.match(String(broken[0].message), /editor_no_such_verdict/);
    // Closing the buffer unsaved: the file on disk counts again.
    void client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: hUri } });
    await waitErrors(client, uri, (e) => e.length === 0, 'clean again after closing the unsaved header');

    // On disk (another tool, a checkout): the client's file watcher reports it.
    writeFileSync(header, '#define EDITOR_VERDICT editor_disk_verdict\n');
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(header).href, type: 2 }] });
    const fromDisk = await waitErrors(client, uri, (e) => e.length > 0, 'the error from the header on disk');
    assert.match(String(fromDisk[0].message), /editor_disk_verdict/);
  });

  it("'vmlinux.h' file not found: offers Generate vmlinux.h, and re-checks when the file appears", async () => {
    const file = path.join(work, 'core.bpf.c');
    writeFileSync(file, '#include "vmlinux.h"\n#include <bpf/bpf_helpers.h>\n\nSEC("xdp")\nint p(struct xdp_md *ctx) { return XDP_PASS; }\nchar _license[] SEC("license") = "GPL";\n');
    client = await LspClient.start({ trusted: true }, work);
    const uri = client.open(file);
    const [err] = errors(await waitErrors(client, uri, (e) => e.length > 0, "the missing vmlinux.h"));
    assert.match(String(err.message), /'vmlinux\.h' file not found/);
    const actions: CodeAction[] = await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: err.range, context: { diagnostics: [err] } });
    const gen = actions.find((a) => /Generate vmlinux\.h/.test(a.title));
    assert.ok(gen, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(gen.command?.command, 'xdpMeta.generateVmlinuxH');
    assert.deepEqual(gen.command?.arguments, [{ uri }]);
    // What the command writes (a small stand-in here); the watcher's "created" re-checks the failed source.
    writeFileSync(path.join(work, 'vmlinux.h'), readFileSync(path.join(ROOT, 'test/fixtures/server/editor-vmlinux.h'), 'utf8'));
    void client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(work, 'vmlinux.h')).href, type: 1 }] });
    await waitErrors(client, uri, (e) => e.length === 0, 'the source compiling after vmlinux.h appeared');
  });

  it('check messages: one line first, the detail as related information, the setting instead of --target-btf, and an action that sets it', async () => {
    for (const f of ['core_unresolved_fire.bpf.c', 'check_common.h']) copyFileSync(path.join(ROOT, 'test/fixtures/check', f), path.join(work, f));
    client = await LspClient.start({ trusted: true }, work);
    const uri = client.open(path.join(work, 'core_unresolved_fire.bpf.c'));
    const [d] = await waitErrors(client, uri, (e) => e.some((x) => x.code === 'core-unresolved'), 'core-unresolved');
    const message = String(d.message);
    assert.match(message, /^CO-RE relocation field_byte_offset of struct my_meta::\w+ \(0:\d\) cannot be resolved against [^;:]+$/);
    const related = (d.relatedInformation ?? []).map((r) => r.message);
    assert.ok(related.some((r) => /libbpf poisons instruction/.test(r)), related.join(' | '));
    assert.ok(related.every((r) => r.length > 0));
    assert.ok(related.every((r) => !r.includes('--target-btf')));
    const actions: CodeAction[] = await client.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const set = actions.find((a) => a.command?.command === 'xdpMeta.setTargetBtf');
    assert.ok(set, `actions: ${actions.map((a) => a.title).join(' | ')}`);
    assert.match(set.title, /xdpMeta\.check\.targetBtf/);
  });

  it('ranges: the whole access expression, the same in the editor, SARIF and the text output', async () => {
    for (const f of ['meta_bounds_none.bpf.c', 'check_common.h']) copyFileSync(path.join(ROOT, 'test/fixtures/check', f), path.join(work, f));
    const file = path.join(work, 'meta_bounds_none.bpf.c');
    client = await LspClient.start({ trusted: true }, work);
    const uri = client.open(file);
    const diags = (await waitErrors(client, uri, (e) => e.filter((x) => x.code === 'meta-bounds').length === 2, 'two meta-bounds')).filter((d) => d.code === 'meta-bounds');
    const lines = readFileSync(file, 'utf8').split('\n');
    const underlined = diags.map((d) => lines[d.range.start.line].slice(d.range.start.character, d.range.end.character));
    assert.deepEqual(underlined, ['meta->mark', 'meta->hash']);

    // The CLI's formats from the same object: same start column, and SARIF's region ends where the editor's range does.
    const obj = path.join(work, 'meta_bounds_none.bpf.o');
    const built = await compileBpf({ file, out: obj, clang: 'clang-19' });
    assert.ok(built.ok, built.stderr);
    const result = runCheck([{ objectPath: obj, sourcePath: file }]);
    const sarif = JSON.parse(formatSarif(result, { baseDir: work })) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number; startColumn: number; endColumn: number } } }> }> }> };
    const regions = sarif.runs[0].results.filter((r) => r.ruleId === 'meta-bounds').map((r) => r.locations[0].physicalLocation.region);
    assert.deepEqual(regions, diags.map((d) => ({ startLine: d.range.start.line + 1, startColumn: d.range.start.character + 1, endColumn: d.range.end.character + 1 })));
    const text = formatText(result, { baseDir: work });
    for (const d of diags) assert.ok(text.includes(`meta_bounds_none.bpf.c:${d.range.start.line + 1}:${d.range.start.character + 1}: error`), text);
  });
});
