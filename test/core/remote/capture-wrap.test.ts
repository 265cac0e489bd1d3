// Unit tests of the capture wrapper: the generated translation unit, and a real compile that keeps the program name.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildCaptureObject, entryPrograms, wrapperSource } from '../../../src/core/remote/capture-wrap';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

describe('core/remote/capture-wrap', () => {
  it('renames the entry to an always_inline inner function and re-exports it under its name and section', () => {
    const s = wrapperSource('/src/a "b".bpf.c', { name: 'xdp_prog', section: 'xdp.frags', hook: 'xdp' });
    assert.match(s, /#define xdp_prog __attribute__\(\(always_inline\)\) __xdpmeta_inner_xdp_prog/);
    assert.match(s, /#include "\/src\/a \\"b\\"\.bpf\.c"/);
    assert.match(s, /SEC\("xdp\.frags"\)\nint xdp_prog\(struct xdp_md \*ctx\)/);
    assert.match(s, /return xm_capture_xdp\(ctx, __xdpmeta_inner_xdp_prog\(ctx\)\);/);
    assert.match(wrapperSource('/x.c', { name: 't', section: 'tc', hook: 'tc' }), /int t\(struct __sk_buff \*ctx\)[^]*xm_capture_tc/);
  });

  it('a wrapper that does not compile says why on its first line (the toast shows it), no temp folder named there', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    await assert.rejects(buildCaptureObject(path.resolve(__dirname, '../../fixtures/remote/wrapper_conflict.bpf.c')), (e: Error) => {
      const first = e.message.split('\n')[0];
      assert.match(first, /wrapper_conflict\.bpf\.c: the capture wrapper around xdp_conflict does not compile: xdp-meta-capture\.bpf\.h:\d+:\d+: .*xm_rows/);
      assert.doesNotMatch(first, /xdp-meta-run-/);
      return true;
    });
  });

  it('compiles a fixture: the wrapper keeps the name, the inner copy is inlined (no BPF-to-BPF call)', async function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const b = await buildCaptureObject(path.resolve(__dirname, '../../fixtures/remote/meta_magic.bpf.c'));
    assert.equal(b.entry.name, 'xdp_meta_magic');
    const entries = entryPrograms(readFileSync(b.objectPath), b.objectPath).map((e) => e.name);
    assert.deepEqual(entries, ['xdp_meta_magic']);
    await assert.rejects(buildCaptureObject(path.resolve(__dirname, '../../fixtures/remote/meta_magic.bpf.c'), { program: 'nope' }),
      /no XDP or TC program named nope \(found: xdp_meta_magic\)/);
  });
});
