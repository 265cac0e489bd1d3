// 6.1 logs name no source line: the matrix maps the error's instruction through the object's line info; 6.12's logs are the judge.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { lineOfInsn } from '../../../src/core/matrix/lines';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

const KERNELS = path.resolve(__dirname, '../../fixtures/verifier/kernels');

describe('matrix: source line of an error from the object', () => {
  const exp = JSON.parse(readFileSync(path.join(KERNELS, 'expected.json'), 'utf8')) as Record<string, Record<string, { error: { insn: number | null; line: number | null } | null }>>;
  const r61 = Object.keys(exp).find((k) => k.startsWith('6.1.'))!;
  const r612 = Object.keys(exp).find((k) => k.startsWith('6.12.'))!;

  it('gives, for every 6.1 rejection, the line 6.12 printed for the same object and instruction', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    let n = 0;
    for (const [name, e] of Object.entries(exp[r61]!)) {
      if (e.error?.insn == null) continue;
      const obj = buildBpfObject(`verifier/${name}.bpf.c`, { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] });
      const at = lineOfInsn(readFileSync(obj), obj, name, e.error.insn);
      assert.deepEqual(at, { file: `${name}.bpf.c`, line: exp[r612]![name]!.error!.line }, name);
      n++;
    }
    assert.ok(n >= 5, `${n} rejections compared`);
  });

  it('answers nothing outside the entry function or for an unknown program', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const obj = buildBpfObject('verifier/meta_no_bounds.bpf.c', { args: [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`] });
    assert.equal(lineOfInsn(readFileSync(obj), obj, 'meta_no_bounds', 10_000), undefined);
    assert.equal(lineOfInsn(readFileSync(obj), obj, 'nope', 1), undefined);
  });
});
