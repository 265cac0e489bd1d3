// Output formats (text, json, SARIF 2.1.0 structure as GitHub code scanning reads it) and the `xdp-meta check` command.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../../src/cli/commands/check';
import { commands } from '../../../src/cli/commands/index';
import { formatJson, formatSarif, formatText, RULES, runCheck } from '../../../src/core/check';
import type { CheckResult } from '../../../src/core/check';
import Ajv from 'ajv';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';
import { fixture, kernelA, kernelB, sourceOf } from './fixtures';

const REPO = path.resolve(__dirname, '../../..');

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '', err = '';
  const code = await checkCommand.run(argv, { out: (t) => { out += t + '\n'; }, err: (t) => { err += t + '\n'; } });
  return { code, out, err };
}

describe('check output formats and CLI', function () {
  let result: CheckResult;
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    result = runCheck(['layout_producer', 'layout_consumer_diff', 'meta_bounds_short', 'kfunc_vlan']
      .map((n) => ({ objectPath: fixture(n), sourcePath: sourceOf(n) })), { targetBtf: kernelB() });
  });

  it('text: file:line:col: severity: message [code], paths relative to the base dir', () => {
    const text = formatText(result, { baseDir: REPO });
    const lines = text.split('\n').filter((l) => !l.startsWith('  ') && !/error\(s\)/.test(l));
    assert.equal(lines.length, result.diagnostics.length);
    for (const l of lines) assert.match(l, /^test\/fixtures\/check\/[\w.]+\.bpf\.c:\d+:\d+: (error|warning|info): .+ \[[a-z-]+\]$/);
    assert.match(text, /^ {2}test\/fixtures\/check\/layout_producer\.bpf\.c:\d+: note: /m);
  });

  it('json: {diagnostics: [{code, severity, message, file, line, column?, insn?, related?}]}', () => {
    const j = JSON.parse(formatJson(result)) as { diagnostics: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(j), ['diagnostics']);
    assert.equal(j.diagnostics.length, result.diagnostics.length);
    for (const d of j.diagnostics) {
      assert.equal(typeof d.code, 'string');
      assert.ok(['error', 'warning', 'info'].includes(d.severity as string));
      assert.equal(typeof d.message, 'string');
      assert.equal(typeof d.file, 'string');
      assert.equal(typeof d.line, 'number');
    }
    assert.ok(j.diagnostics.some((d) => Array.isArray(d.related)));
  });

  it('sarif: valid 2.1.0 shape with rules, helpUri, results, relative uris and regions', () => {
    const log = JSON.parse(formatSarif(result, { baseDir: REPO }));
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const run = log.runs[0];
    const driver = run.tool.driver;
    assert.equal(driver.name, 'xdp-meta');
    assert.deepEqual(driver.rules.map((r: { id: string }) => r.id), RULES.map((r) => r.code));
    for (const r of driver.rules) {
      assert.ok(new URL(r.helpUri).hash === `#${r.id}`, r.helpUri);
      assert.ok(r.shortDescription.text.length > 0);
      assert.ok(['error', 'warning', 'note'].includes(r.defaultConfiguration.level));
    }
    assert.equal(run.results.length, result.diagnostics.length);
    for (const res of run.results) {
      assert.ok(driver.rules[res.ruleIndex].id === res.ruleId);
      assert.ok(['error', 'warning', 'note'].includes(res.level));
      assert.ok(res.message.text.length > 0);
      const loc = res.locations[0].physicalLocation;
      assert.match(loc.artifactLocation.uri, /^test\/fixtures\/check\/[\w.]+\.bpf\.c$/);
      assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
      assert.ok(Number.isInteger(loc.region.startLine) && loc.region.startLine >= 1);
      if (loc.region.startColumn !== undefined) assert.ok(loc.region.startColumn >= 1);
      for (const rl of res.relatedLocations ?? []) {
        assert.ok(rl.physicalLocation.region.startLine >= 1);
        assert.ok(rl.message.text.length > 0);
      }
      assert.match(res.partialFingerprints['xdpMetaCheck/v1'], /^[0-9a-f]{8}$/);
    }
    assert.ok(run.results.some((r: { level: string }) => r.level === 'note'));
    assert.ok(run.originalUriBaseIds['%SRCROOT%'].uri.startsWith('file:///'));
  });

  it('sarif: validates against the official SARIF 2.1.0 JSON schema', () => {
    // The OASIS schema (draft-04) as shipped by @microsoft/jest-sarif; ajv 8 reads it once the root `id` is `$id`.
    const { id, $schema: _draft, ...schema } = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
    ajv.addFormat('uri', (u: string) => { try { return Boolean(new URL(u)); } catch { return false; } });
    ajv.addFormat('uri-reference', () => true);
    ajv.addFormat('date-time', (d: string) => !Number.isNaN(Date.parse(d)));
    const validate = ajv.compile({ $id: id, ...schema });
    const log = JSON.parse(formatSarif(result, { baseDir: REPO })) as { runs: { tool: { driver: { name?: string } } }[] };
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    // A mutilated log must fail, or the validation proves nothing.
    delete log.runs[0].tool.driver.name;
    assert.equal(validate(log), false);
  });

  it('is registered as `xdp-meta check`', async () => {
    assert.equal(await commands.find((c) => c.name === 'check')?.load(), checkCommand);
  });

  it('CLI: exit 1 on errors, json on request, objects as inputs', async () => {
    const r = await cli([fixture('meta_bounds_short'), '--target-btf', kernelA(), '--format', 'json']);
    assert.equal(r.code, 1);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.diagnostics.map((d: { code: string }) => d.code), ['meta-bounds']);
  });

  it('CLI: exit 0 with only info findings; sarif output parses', async () => {
    const r = await cli([fixture('trailer_fire'), '--target-btf', kernelA(), '--format=sarif']);
    assert.equal(r.code, 0);
    assert.equal(JSON.parse(r.out).runs[0].results[0].ruleId, 'meta-trailer');
  });

  it('CLI: compiles a *.bpf.c input with the project clang driver and reports at its lines', async () => {
    const r = await cli([sourceOf('meta_bounds_short'), sourceOf('kfunc_vlan'), '--target-btf', kernelB()]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /meta_bounds_short\.bpf\.c:19:\d+: error: .*\[meta-bounds\]/);
    assert.match(r.out, /kfunc_vlan\.bpf\.c:10:\d+: error: .*appeared in Linux 6\.8;.*\[kfunc-missing\]/);
  });

  it('CLI: flags after `--` go to clang (-std=gnu2x), not taken as inputs', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'check-test-'));
    try {
      const src = path.join(dir, 'c23.bpf.c');
      writeFileSync(src, readFileSync(sourceOf('meta_bounds_short'), 'utf8')
        .replace('#include "check_common.h"', `#include "${path.dirname(sourceOf('meta_bounds_short'))}/check_common.h"\n#if __STDC_VERSION__ < 202000L\n#error needs -std=gnu2x\n#endif`));
      const without = await cli([src, '--target-btf', kernelA()]);
      assert.match(without.err, /needs -std=gnu2x/);
      const r = await cli([src, '--target-btf', kernelA(), '--format', 'json', '--', '-std=gnu2x', '-DUNUSED=1']);
      assert.equal(r.err, '');
      assert.deepEqual(JSON.parse(r.out).diagnostics.map((d: { code: string }) => d.code), ['meta-bounds']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CLI: usage errors and unreadable inputs give clear messages, not stacks', async () => {
    await assert.rejects(cli([]), /missing INPUT/);
    await assert.rejects(cli([fixture('meta_bounds_ok'), '--format', 'xml']), /--format must be one of text, json, sarif \(got 'xml'\)/);
    await assert.rejects(cli(['/nonexistent/x.o']), /\/nonexistent\/x\.o: no such file/);
    await assert.rejects(cli([fixture('meta_bounds_ok'), '--target-btf', '/nonexistent/btf']), /no such file \(--target-btf\)/);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'check-test-'));
    try {
      const bad = path.join(dir, 'bad.o');
      writeFileSync(bad, Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(20)]));
      await assert.rejects(cli([bad]), (e: Error) => e.name === 'FormatError' && /bad\.o: at byte offset/.test(e.message));
      const broken = path.join(dir, 'broken.bpf.c');
      writeFileSync(broken, 'int x = ;\n');
      const r = await cli([broken, fixture('meta_bounds_ok'), '--target-btf', kernelA()]);
      assert.equal(r.code, 1);
      assert.match(r.err, /broken\.bpf\.c:1:\d+: error: .*\n.*broken\.bpf\.c: compile failed; nothing checked for this input/);
      assert.match(r.out, /0 error\(s\)/);
      const txt = path.join(dir, 'notes.txt');
      writeFileSync(txt, 'hello');
      await assert.rejects(cli([txt]), /neither a BPF object \(ELF\) nor a C source/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
