// A real verifier log maps to a diagnostic on the right C line, with the explanation, the fix and a link into the viewer.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { installVscodeStub } from './vscode-stub';

installVscodeStub();
// After the stub: these modules import `vscode`.
/* eslint-disable @typescript-eslint/no-require-imports */
const vscode = require('vscode') as typeof import('vscode');
const { verifierDiagnostic, resolveLogFile, openLogAction, showLogCommandUri, VERIFIER_DIAGNOSTIC_SOURCE } =
  require('../../src/extension/verifier-diagnostics') as typeof import('../../src/extension/verifier-diagnostics');
const { explain, parseLogText } = require('../../src/core/verifier') as typeof import('../../src/core/verifier');

const FIX = path.resolve(__dirname, '../fixtures/verifier');

function linesOf(file: string) {
  const lines = readFileSync(file, 'utf8').split('\n');
  return { lineCount: lines.length, lineAt: (i: number) => ({ text: lines[i] }) };
}

function explained(log: string) {
  const e = explain(parseLogText(readFileSync(path.join(FIX, 'logs', log))));
  assert.ok(e, `${log} explains a rejection`);
  return e;
}

const LOG_URI = vscode.Uri.file('/tmp/xdp-meta-load-x/meta_no_bounds.verifier.log');

describe('verifier diagnostics (log → diagnostic)', () => {
  it('a missing data_meta bounds check: the write line, the explanation, the fix with the byte count, a link at the insn', () => {
    const { diagnostic: d, link } = verifierDiagnostic({
      explanation: explained('meta_no_bounds.l2.log'), lines: linesOf(path.join(FIX, 'meta_no_bounds.bpf.c')), logUri: LOG_URI, located: true,
    });
    // `; meta->hash = 7; @ meta_no_bounds.bpf.c:14` → 0-based line 13, the statement after the tab.
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], [13, 1, 13, 16]);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.source, VERIFIER_DIAGNOSTIC_SOURCE);
    const [first, ...rest] = d.message.split('\n');
    assert.equal(first, 'Metadata access beyond the proven range (insn 7): invalid access to packet, off=4 size=4, R1(id=0,off=4,r=0)');
    assert.match(rest.join('\n'), /points into the XDP metadata area .* must know that 8 bytes are there/);
    assert.match(rest.join('\n'), /^Fix: .*prove 8 bytes/m);
    assert.match(d.message, /if \(\(void \*\)\(meta \+ 1\) > data\)/);
    assert.deepEqual(link, { logUri: LOG_URI.toString(), insn: 7 });
    const code = d.code as { value: string; target: { scheme: string; toString(): string } };
    assert.equal(code.value, 'insn 7');
    assert.equal(code.target.scheme, 'command');
    const [, cmd, query] = /^command:([\w.]+)\?(.*)$/.exec(code.target.toString())!;
    assert.equal(cmd, 'xdpMeta.showVerifierLog');
    assert.deepEqual(JSON.parse(decodeURIComponent(query)), [{ uri: LOG_URI.toString(), insn: 7 }]);
  });

  it('a short bounds check: the line of the access beyond the proven range', () => {
    const { diagnostic: d } = verifierDiagnostic({
      explanation: explained('meta_short_check.l2.log'), lines: linesOf(path.join(FIX, 'meta_short_check.bpf.c')), logUri: LOG_URI, located: true,
    });
    assert.equal(d.range.start.line, 16); // meta->hash = 7; (line 17)
    assert.match(d.message, /only 4 bytes \(r=4\)/);
  });

  it('no source line in the log (metadata kfunc without a device): the kfunc call, not its declaration', () => {
    const { diagnostic: d, link } = verifierDiagnostic({
      explanation: explained('kfunc_not_devbound.l2.log'), lines: linesOf(path.join(FIX, 'kfunc_not_devbound.bpf.c')), logUri: LOG_URI, located: false,
    });
    assert.equal(d.range.start.line, 13); // if (bpf_xdp_metadata_rx_hash(ctx, &hash, &type))
    assert.match(d.message, /^Metadata kfuncs need a device-bound program: metadata kfuncs require device-bound program/);
    assert.match(d.message, /--dev IFNAME/);
    assert.deepEqual(link, { logUri: LOG_URI.toString() });
    assert.equal((d.code as { value: string }).value, 'log');
  });

  it('a location outside the workspace: the fallback line (the SEC line from the code lens), saying where the verifier points', () => {
    const e = explained('meta_no_bounds.l2.log');
    const { diagnostic: d } = verifierDiagnostic({
      explanation: { ...e, file: 'vmlinux.h' }, lines: linesOf(path.join(FIX, 'meta_no_bounds.bpf.c')), logUri: LOG_URI, located: false, fallbackLine: 6,
    });
    assert.equal(d.range.start.line, 6);
    assert.match(d.message, /\(The verifier points at vmlinux\.h:14, which is not in this workspace\.\)$/);
  });

  it('a line past the end of the (since shortened) file is clamped', () => {
    const e = explained('meta_no_bounds.l2.log');
    const { diagnostic: d } = verifierDiagnostic({
      explanation: { ...e, line: 400 }, lines: { lineCount: 3, lineAt: () => ({ text: '  x;' }) }, logUri: LOG_URI, located: true,
    });
    assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [2, 2, 4]);
  });

  it('maps the log\'s file name to the loaded source, a path beside it, or nothing', () => {
    const loaded = '/ws/src/prog.bpf.c';
    const exists = (p: string) => ['/ws/src/prog.bpf.c', '/ws/src/include/meta.h', '/other/prog.bpf.c'].includes(p);
    assert.equal(resolveLogFile('prog.bpf.c', loaded, exists), loaded);
    assert.equal(resolveLogFile('src/prog.bpf.c', loaded, exists), loaded);
    assert.equal(resolveLogFile('/ws/src/prog.bpf.c', loaded, exists), loaded);
    assert.equal(resolveLogFile('/build/prog.bpf.c', loaded, exists), loaded); // built elsewhere: same base name
    assert.equal(resolveLogFile('/other/prog.bpf.c', loaded, exists), '/other/prog.bpf.c');
    assert.equal(resolveLogFile('include/meta.h', loaded, exists), '/ws/src/include/meta.h');
    assert.equal(resolveLogFile('vmlinux.h', loaded, exists), undefined);
    assert.equal(resolveLogFile('/usr/include/nothere.h', loaded, exists), undefined);
  });

  it('the code action opens the viewer at the instruction through xdpMeta.showVerifierLog', () => {
    const d = new vscode.Diagnostic(new vscode.Range(1, 0, 1, 4), 'x');
    const a = openLogAction(d, { logUri: 'file:///tmp/l.vlog', insn: 7 });
    assert.equal(a.title, 'Open the verifier log at instruction 7');
    assert.deepEqual(a.diagnostics, [d]);
    assert.deepEqual(a.command, { command: 'xdpMeta.showVerifierLog', title: a.title, arguments: [{ uri: 'file:///tmp/l.vlog', insn: 7 }] });
    assert.equal(openLogAction(d, { logUri: 'file:///tmp/l.vlog' }).title, 'Open the verifier log');
    assert.match(showLogCommandUri({ logUri: 'file:///tmp/a b.vlog', insn: 3 }).toString(), /^command:xdpMeta\.showVerifierLog\?%5B%7B%22uri/);
  });
});
