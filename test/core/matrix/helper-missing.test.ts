// helper-missing per kernel: bpf_cgrp_storage_get (id 210, Linux 6.2) against the real Debian 6.1 and 6.12 BTFs, guarded and not.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCheck } from '../../../src/core/check';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { resolveKernel, type KernelTarget } from '../../../src/core/kernels';
import { differingFindings, matrixPrograms, staticForKernel, type MatrixProgram } from '../../../src/core/matrix';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { debianKernels } from '../../helpers/kernels';
import { requirePrereq } from '../../helpers/prereq';

const SRC = path.resolve(__dirname, '../../fixtures/matrix/helper_new.bpf.c');
const CALL_LINE = readFileSync(SRC, 'utf8').split('\n').findIndex((l) => l.includes('bpf_cgrp_storage_get(&seen')) + 1;
const INC = [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`];

describe('matrix: helper availability per kernel (helper-missing)', function () {
  this.timeout(120_000);
  const { k61, k612 } = debianKernels();
  let dir: string;
  let k1: KernelTarget;
  let k2: KernelTarget;
  let programs: MatrixProgram[];

  before(async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, !!k61 && !!k612, 'Debian 6.1 and 6.12 cloud kernel packages in apt');
    k1 = resolveKernel(k61!);
    k2 = resolveKernel(k612!);
    dir = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-helper-missing-'));
    programs = await matrixPrograms([SRC], { outDir: dir });
  });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('6.1 lacks the helper: an error naming it, its id, the instruction and the source line; 6.12 has it', () => {
    const on61 = staticForKernel(k1, programs).get(`${programs[0]!.objectPath}\0helper_new`)!;
    const hm = on61.filter((d) => d.code === 'helper-missing');
    assert.equal(hm.length, 1, JSON.stringify(on61));
    const d = hm[0]!;
    assert.equal(d.severity, 'error');
    assert.equal(d.program, 'helper_new');
    assert.equal(d.line, CALL_LINE);
    assert.equal(path.basename(d.file), 'helper_new.bpf.c');
    assert.equal(typeof d.insn, 'number');
    assert.match(d.message, /^BPF helper bpf_cgrp_storage_get\(\) \(id 210\) is not in target BTF \S+linux-image-6\.1\.0-\S+vmlinux\.btf: its enum bpf_func_id ends at BPF_FUNC_user_ringbuf_drain = 209/);
    assert.match(d.message, /invalid func unknown#210/);
    assert.match(d.message, /bpf_core_enum_value_exists\(enum bpf_func_id, BPF_FUNC_cgrp_storage_get\)/);
    const on612 = staticForKernel(k2, programs).get(`${programs[0]!.objectPath}\0helper_new`)!;
    assert.deepEqual(on612.filter((x) => x.code === 'helper-missing'), []);
    // The editor's "only on" rows: the finding differs between the kernels.
    assert.equal(differingFindings([on61, on612]).size, 1);
  });

  it('a call guarded by bpf_core_enum_value_exists() is dead code on 6.1: no finding', () => {
    const obj = buildBpfObject(SRC, { args: [...INC, '-DGUARDED'] });
    for (const k of [k1, k2]) {
      const ds = runCheck([{ objectPath: obj, sourcePath: SRC }], { targetBtf: k.btfPath, targetIsKernel: true }).diagnostics;
      assert.deepEqual(ds.map((x) => x.code), [], `${k.id}: ${JSON.stringify(ds)}`);
    }
  });

  it('a kernel BTF without enum bpf_func_id: availability unknown (info), never a guess', () => {
    const obj = buildBpfObject(SRC, { args: INC });
    const noEnum = buildBpfObject('check/kernel_a.c');
    const asKernel = runCheck([{ objectPath: obj, sourcePath: SRC }], { targetBtf: noEnum, targetIsKernel: true }).diagnostics
      .filter((x) => x.code === 'helper-missing');
    assert.equal(asKernel.length, 1);
    assert.equal(asKernel[0]!.severity, 'info');
    assert.match(asKernel[0]!.message, /^availability of BPF helper bpf_cgrp_storage_get\(\) \(id 210\) on target BTF \S+ is unknown: that BTF has no enum bpf_func_id$/);
    // `check --target-btf` with a BTF that describes a few types only: no helper findings either way.
    assert.deepEqual(runCheck([{ objectPath: obj, sourcePath: SRC }], { targetBtf: noEnum }).diagnostics.filter((x) => x.code === 'helper-missing'), []);
  });

  it('the running kernel (6.18) has every helper the fixtures call', () => {
    const obj = buildBpfObject(SRC, { args: INC });
    assert.deepEqual(runCheck([{ objectPath: obj, sourcePath: SRC }]).diagnostics.filter((x) => x.code === 'helper-missing'), []);
  });
});
