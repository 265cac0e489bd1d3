// compile_commands.json merging and the .clangd fragment; clangd must parse a *.bpf.c with them as clang does.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bpfTargetFlags } from '../../src/core/compile';
import { clangdWithFragment, mergeCompileCommands } from '../../src/extension/compile-db';
import { CLANG, hasClang } from '../helpers/clang';
import { requirePrereq } from '../helpers/prereq';

describe('compile database for BPF sources', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(path.join(os.tmpdir(), 'compile-db-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps other tools\' entries and replaces ours', () => {
    const prog = path.join(dir, 'prog.bpf.c');
    writeFileSync(path.join(dir, 'compile_commands.json'), JSON.stringify([
      { directory: dir, file: 'user.c', arguments: ['cc', '-c', 'user.c'] },
      { directory: dir, file: 'prog.bpf.c', arguments: ['old'] },
    ]));
    const db = mergeCompileCommands(dir, [prog], 'clang-19', bpfTargetFlags());
    assert.deepEqual(db.map((e) => e.file), ['user.c', prog]);
    assert.deepEqual(db[1].arguments.slice(0, 3), ['clang-19', '-target', 'bpf']);
    assert.deepEqual(db[1].arguments.slice(-4), ['-c', prog, '-o', path.join(dir, 'prog.bpf.o')]);
  });

  it('the entry compiles the file as written (the database is usable, not just well-formed)', function () {
    requirePrereq(this, hasClang(), 'clang-19');
    const prog = path.join(dir, 'prog.bpf.c');
    writeFileSync(prog, '#include <linux/bpf.h>\n#include <bpf/bpf_helpers.h>\nSEC("xdp") int p(struct xdp_md *c) { return XDP_PASS; }\nchar _l[] SEC("license") = "GPL";\n');
    const [entry] = mergeCompileCommands(dir, [prog], CLANG, bpfTargetFlags());
    execFileSync(entry.arguments[0], entry.arguments.slice(1), { cwd: entry.directory, stdio: 'pipe' });
  });

  it('.clangd: appends a path-matched fragment once, and replaces it on rewrite', () => {
    const user = 'CompileFlags:\n  Add: [-Wall]\n';
    const once = clangdWithFragment(user, ['-target', 'bpf', '-O2', '-D__TARGET_ARCH_x86']);
    assert.match(once, /^CompileFlags:\n {2}Add: \[-Wall\]\n---\n# >>> xdp-meta/);
    assert.match(once, /PathMatch: \.\*\\\.bpf\\\.c\n/);
    assert.match(once, /Add: \["--target=bpf", "-O2", "-D__TARGET_ARCH_x86"\]/);
    const twice = clangdWithFragment(once, ['-target', 'bpf', '-O2']);
    assert.equal(twice.match(/# >>> xdp-meta/g)?.length, 1);
    assert.match(twice, /Add: \["--target=bpf", "-O2"\]\n# <<< xdp-meta/);
  });
});
