// The run's kfunc preflight: which objects need the host's BTF, the kfunc-missing findings against it, and the refusal's text.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { btfFromElf } from '../../../src/core/btf';
import { multiarchIncludeDir } from '../../../src/core/compile/arch';
import { parseElf } from '../../../src/core/elf';
import { XdpMetaError } from '../../../src/core/util/errors';
import { fetchHostBtf } from '../../../src/core/remote/host-btf';
import { absentKfuncs, callsStrongKfunc, KfuncMissingError, missingKfuncs } from '../../../src/core/remote/kfunc-preflight';
import { buildBpfObject, hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

const ROOT = path.resolve(__dirname, '../../..');
const HINTS = path.join(ROOT, 'bpf-templates/af-xdp-hints/af_xdp_hints.bpf.c');
const args = [`-I${multiarchIncludeDir() ?? '/usr/include/x86_64-linux-gnu'}`];

describe('core/remote/kfunc-preflight', () => {
  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
  });
  const obj = (src: string) => {
    const file = buildBpfObject(src, { args });
    const bytes = readFileSync(file);
    return { file, bytes, elf: parseElf(bytes, file) };
  };

  it('only objects with strong kfunc externs need the host\'s BTF (a __weak one is left to libbpf and bpf_ksym_exists())', () => {
    assert.equal(callsStrongKfunc(obj(HINTS).elf), true);
    assert.equal(callsStrongKfunc(obj(path.join(ROOT, 'bpf-templates/tc-meta-magic/tc_meta_magic.bpf.c')).elf), false);
    assert.equal(callsStrongKfunc(obj('check/kfunc_weak.bpf.c').elf), false);
  });

  it('against a BTF without the kfuncs: one finding per call with its line, the kfuncs named, a refusal naming host and kernel', () => {
    const hints = obj(HINTS);
    // A BTF that is not a kernel's and has no bpf_xdp_metadata_* FUNC: a program object's own.
    const plain = obj('matrix/meta_ok.bpf.c');
    const hostBtf = btfFromElf(plain.elf);
    const found = missingKfuncs(hints.bytes, hints.file, hostBtf, HINTS);
    assert.deepEqual(found.map((d) => /kfunc (\w+)\(\)/.exec(d.message)?.[1]),
      ['bpf_xdp_metadata_rx_timestamp', 'bpf_xdp_metadata_rx_hash', 'bpf_xdp_metadata_rx_vlan_tag']);
    for (const d of found) {
      assert.equal(d.code, 'kfunc-missing');
      assert.match(d.file, /af_xdp_hints\.bpf\.c$/);
      assert.ok(d.line > 0);
    }
    const kfuncs = absentKfuncs(hints.elf, hostBtf);
    assert.deepEqual([...kfuncs].sort(), ['bpf_xdp_metadata_rx_hash', 'bpf_xdp_metadata_rx_timestamp', 'bpf_xdp_metadata_rx_vlan_tag']);
    const e = new KfuncMissingError('lab-box', '6.1.0-57-cloud-amd64', found, kfuncs);
    assert.ok(e instanceof XdpMetaError);
    assert.equal(e.code, 'kfunc-missing');
    const lines = e.message.split('\n');
    assert.match(lines[0]!, /^lab-box: kfunc-missing: kernel 6\.1\.0-57-cloud-amd64 lacks bpf_xdp_metadata_\w+(, bpf_xdp_metadata_\w+){2}; nothing was loaded$/);
    assert.match(lines[2]!, /^ {2}\S*af_xdp_hints\.bpf\.c:\d+: kfunc bpf_xdp_metadata_rx_hash\(\) is not in target BTF .*; it appeared in Linux 6\.3/);
    assert.match(lines[lines.length - 1]!, /^lab-box: pass --force/);
  });

  it('against the running kernel\'s BTF (read as a local host\'s): no findings', async function () {
    requirePrereq(this, existsSync('/sys/kernel/btf/vmlinux'), 'kernel BTF (/sys/kernel/btf/vmlinux)');
    const hints = obj(HINTS);
    const btf = await fetchHostBtf({ kind: 'local' }, '/sys/kernel/btf/vmlinux');
    assert.deepEqual(missingKfuncs(hints.bytes, hints.file, btf, HINTS), []);
  });

  it('a host BTF that cannot be read: a typed error naming the file', async () => {
    await assert.rejects(fetchHostBtf({ kind: 'local' }, '/nonexistent/vmlinux'),
      (e: unknown) => e instanceof XdpMetaError && /\/nonexistent\/vmlinux/.test(e.message));
  });
});
