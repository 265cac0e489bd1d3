// helper-missing through the CLI: `check --target-btf` (6.1's BTF) and `matrix --static-only --json`, and the view's rows from that JSON.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../src/core/compile/arch';
import { resolveKernel } from '../../src/core/kernels';
import type { MatrixReport } from '../../src/core/matrix';
import { matrixRows } from '../../src/extension/matrix-rows';
import { buildBpfObject, hasClang } from '../helpers/clang';
import { debianKernels } from '../helpers/kernels';
import { requirePrereq } from '../helpers/prereq';
import { runCli } from '../helpers/run-cli';

const SRC = path.resolve(__dirname, '../fixtures/matrix/helper_new.bpf.c');

describe('cli: helper-missing in check and matrix', function () {
  this.timeout(120_000);
  const { k61, k612 } = debianKernels();

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, !!k61 && !!k612, 'Debian 6.1 and 6.12 cloud kernel packages in apt');
  });

  it('check --target-btf <6.1 BTF>: an error at the call with the rule code; against 6.12 clean', async () => {
    const obj = buildBpfObject(SRC, { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] });
    let r = await runCli(['check', obj, '--target-btf', resolveKernel(k61!).btfPath]);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /helper_new\.bpf\.c:\d+:\d+: error: BPF helper bpf_cgrp_storage_get\(\) \(id 210\) is not in target BTF .*\[helper-missing\]/);
    r = await runCli(['check', obj, '--target-btf', resolveKernel(k612!).btfPath, '--format', 'json']);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(JSON.parse(r.out).diagnostics, []);
  });

  it('matrix --static-only --json: the finding on the 6.1 cell only; the view adds an "only on 6.1" row', async () => {
    const r = await runCli(['matrix', SRC, '-k', k61!, '-k', k612!, '--static-only', '--json']);
    assert.equal(r.code, 0, r.err);
    const m = JSON.parse(r.out) as MatrixReport;
    const codes = (k: string) => m.results.find((c) => c.kernel === k && c.program === 'helper_new')!.static.diagnostics.map((d) => d.code);
    assert.deepEqual(codes(k61!), ['helper-missing']);
    assert.deepEqual(codes(k612!), []);
    const [row] = matrixRows(m);
    const extra = row!.children!.slice(2);
    assert.equal(extra.length, 1);
    assert.match(extra[0]!.label, /^helper-missing \(line \d+\)$/);
    assert.match(extra[0]!.description ?? '', /^only on 6\.1\.0-\d+-cloud-amd64$/);
    assert.match(String(extra[0]!.tooltip), /bpf_cgrp_storage_get\(\) \(id 210\)/);
  });
});
