import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { explain, formatExplanation } from '../../../src/core/verifier/explain';
import { parseLogText } from '../../../src/core/verifier/read';

const LOGS = path.resolve(__dirname, '../../fixtures/verifier/logs');
const EXPECTED = JSON.parse(readFileSync(path.resolve(__dirname, '../../fixtures/verifier/expected.json'), 'utf8')) as
  Record<string, Record<string, { explanation?: string }>>;
const logOf = (name: string) => parseLogText(readFileSync(path.join(LOGS, name), 'utf8'));

/** A minimal log around one rejection message (for messages this kernel/root cannot produce). */
function synthetic(message: string): string {
  return ['func#0 @0', '0: R1=ctx() R10=fp0', '; x = y; @ prog.bpf.c:7', '0: (bf) r6 = r1                       ; R1=ctx() R6=ctx()',
    '1: (b7) r0 = 2                        ; R0=2', message,
    'processed 2 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0', ''].join('\n');
}

describe('core/verifier/explain', () => {
  it('explains every captured rejection with the expected kind', () => {
    for (const f of readdirSync(LOGS).filter((x) => x.endsWith('.log'))) {
      const [name, lvl] = f.replace(/\.log$/, '').split('.');
      const e = explain(logOf(f));
      assert.equal(e?.id ?? null, EXPECTED[name][lvl === 'l1' ? 'level1' : 'level2'].explanation ?? null, f);
      if (e) {
        assert.ok(e.explanation.length > 40, f);
        assert.ok(e.fix.length > 20, f);
        assert.ok(formatExplanation(e).includes(e.message), f);
      }
    }
  });

  it('missing metadata bounds check: byte count, r=0, the check to add, the register history', () => {
    const e = explain(logOf('meta_no_bounds.l2.log'))!;
    assert.equal(e.id, 'packet-meta-range');
    assert.deepEqual(e.facts, { off: 4, size: 4, range: 0, needed: 8, kind: 'pkt_meta' });
    assert.match(e.explanation, /r=0/);
    assert.match(e.fixCode!, /if \(\(void \*\)\(meta \+ 1\) > data\)/);
    assert.match(e.fixCode!, /meta \+ 8 > data/);
    assert.equal(e.register, 'r1');
    assert.deepEqual(e.history.map((h) => [h.pc, h.insn, h.value]), [[5, 'r1 = *(u32 *)(r6 +8)', 'pkt_meta(r=0)']]);
    assert.equal(e.file, 'meta_no_bounds.bpf.c');
    assert.equal(e.line, 14);
  });

  it('too-small metadata bounds check: names the check that proved only r bytes', () => {
    const e = explain(logOf('meta_short_check.l1.log'))!;
    assert.deepEqual(e.facts, { off: 4, size: 4, range: 4, needed: 8, kind: 'pkt_meta', check_insn: 9 });
    assert.match(e.explanation, /insn 9 \(line 14\) proved only 4 bytes/);
    assert.match(e.fix, /not meta \+ 4/);
  });

  it('a void/__naked global function: the note is not the error, the final complaint is (real logs, both levels)', () => {
    for (const lvl of ['l1', 'l2']) {
      const range = logOf(`naked_meta_range.${lvl}.log`);
      assert.equal(range.error()!.message, 'invalid access to packet, off=8 size=8, R1(id=0,off=8,r=8)', lvl);
      assert.equal(range.summary().truncated, false, lvl);
      const gv = logOf(`global_void.${lvl}.log`).error()!;
      assert.equal(gv.message, "Caller passes invalid args into func#1 ('set_mark')", lvl);
      assert.deepEqual(gv.details, ["Global function set_mark() doesn't return scalar. Only those are supported."], lvl);
      assert.equal(gv.insn, 1);
    }
    // Accepted: the note alone is no rejection.
    assert.equal(logOf('naked_meta_good.l2.log').summary().error, null);
    const e = explain(logOf('global_void.l1.log'))!;
    assert.equal(e.id, 'global-func-return');
    assert.match(e.fix, /set_mark\(\) static/);
  });

  it('every explanation that names a pointer kind agrees with the register type in the log', () => {
    for (const f of readdirSync(LOGS).filter((x) => x.endsWith('.log'))) {
      const log = logOf(f);
      const e = explain(log);
      if (!e?.register) continue;
      const kinds = new Set(e.history.filter((h) => h.slot === e.register && h.value).map((h) => h.value!.replace(/\(.*/, '')));
      const text = `${e.explanation} ${e.fix} ${e.fixCode ?? ''}`;
      if (kinds.has('pkt_meta') && e.id !== 'stale-packet-pointer') {
        assert.ok(e.facts.kind === undefined || e.facts.kind === 'pkt_meta', f);
        assert.doesNotMatch(text, /data_end|\bpkt:|a number cast/, f);
      }
      if (kinds.has('pkt')) assert.doesNotMatch(text, /pkt_meta/, f);
    }
  });

  it('a pkt_meta access is checked against data, with the bytes it needs, not a sizeof guess', () => {
    const e = explain(logOf('naked_meta_range.l1.log'))!;
    assert.equal(e.id, 'packet-meta-range');
    assert.deepEqual(e.facts, { off: 8, size: 8, range: 8, needed: 16, kind: 'pkt_meta', check_insn: 8 });
    assert.match(e.fixCode!, /\(void \*\)meta \+ 16 > data\)/);
    assert.doesNotMatch(e.fixCode!, /sizeof\(\*meta\) ==/);
    // The state before insn 10 still prints R1 with r=0; the range at the access is the message's r=8.
    assert.equal(e.value, 'pkt_meta(r=8)');
  });

  it('a negative offset is explained as before the start of the area, not as bytes to prove', () => {
    const e = explain(logOf('naked_meta_negative.l2.log'))!;
    assert.equal(e.facts.off, -7);
    assert.match(e.explanation, /7 bytes before ctx->data_meta/);
    assert.doesNotMatch(formatExplanation(e), /-\d+ bytes are there|prove -/);
    assert.match(e.fixCode!, /bpf_xdp_adjust_meta\(ctx, -/);
  });

  it('a pointer made stale by bpf_xdp_adjust_meta is explained as invalidated, not as a number cast', () => {
    for (const lvl of ['l1', 'l2']) {
      const e = explain(logOf(`naked_meta_stale.${lvl}.log`))!;
      assert.equal(e.id, 'stale-packet-pointer', lvl);
      assert.deepEqual([e.facts.was, e.facts.call_insn, e.facts.helper], ['pkt_meta', 12, 'bpf_xdp_adjust_meta'], lvl);
      assert.match(e.fix, /re-read ctx->data_meta/);
      assert.doesNotMatch(e.explanation, /cast/);
    }
  });

  it('negative and unbounded offsets show where the offset came from', () => {
    const neg = explain(logOf('negative_offset.l2.log'))!;
    assert.equal(neg.id, 'negative-offset');
    assert.deepEqual(neg.offsetHistory?.map((h) => h.pc), [15, 14, 13]);
    const unb = explain(logOf('unbounded_offset.l2.log'))!;
    assert.equal(unb.facts.value_size, 64);
    assert.match(unb.fixCode!, /idx >= 64/);
    assert.deepEqual(unb.offsetHistory?.map((h) => h.insn), ['r1 = *(u32 *)(r6 +0)']);
  });

  it('unreleased ringbuf reservation names the reserving call and its line', () => {
    const e = explain(logOf('ringbuf_leak.l2.log'))!;
    assert.equal(e.facts.alloc_insn, 5);
    assert.equal(e.facts.alloc_line, 13);
    assert.match(e.explanation, /bpf_ringbuf_reserve/);
    assert.match(e.fix, /bpf_ringbuf_discard/);
  });

  it('device binding, kfunc not allowed, CO-RE poison, !read_ok', () => {
    assert.match(explain(logOf('kfunc_not_devbound.l2.log'))!.fix, /BPF_F_XDP_DEV_BOUND_ONLY/);
    assert.match(explain(logOf('kfunc_not_allowed.l2.log'))!.fix, /bpf_dynptr_from_xdp/);
    const core = explain(logOf('core_poisoned.l2.log'))!;
    assert.equal(core.facts.access, 'struct xdp_meta_private.hash');
    assert.match(core.explanation, /preserve_access_index/);
    assert.match(explain(logOf('uninit_reg.l2.log'))!.explanation, /R9 is read at insn 0/);
  });

  it('a helper newer than the kernel (Debian 6.1\'s real log for helper id 210, bpf_cgrp_storage_get): helper-unknown with the name and the guard', () => {
    // Captured by `xdp-meta matrix` in a 6.1.0-57-cloud-amd64 microVM; the program calls helper 210 directly.
    const log = [
      '0: R1=ctx(off=0,imm=0) R10=fp0', '; return helper210(0, 0, 0, 0) ? XDP_DROP : XDP_PASS;',
      '0: (b7) r1 = 0                        ; R1_w=0', '1: (b7) r2 = 0                        ; R2_w=0',
      '2: (b7) r3 = 0                        ; R3_w=0', '3: (b7) r4 = 0                        ; R4_w=0',
      '4: (85) call unknown#210', 'invalid func unknown#210',
      'processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0', '',
    ].join('\n');
    const e = explain(parseLogText(log))!;
    assert.equal(e.id, 'helper-unknown');
    assert.equal(e.insn, 4);
    assert.match(e.explanation, /no helper with id 210 \(bpf_cgrp_storage_get, in newer kernels\)/);
    assert.match(e.fix, /bpf_core_enum_value_exists\(enum bpf_func_id, BPF_FUNC_cgrp_storage_get\)/);
  });

  it('messages this machine cannot produce as root: back-edge, too large, jump sequence, btf_id, poison on old kernels', () => {
    const cases: [string, string][] = [
      ['back-edge from insn 11 to 8', 'back-edge'],
      ['BPF program is too large. Processed 1000001 insn', 'too-large'],
      ['The sequence of 8193 jumps is too complex.', 'too-complex'],
      ['kernel btf_id 4242 is not a function', 'kfunc-not-function'],
      ['invalid func unknown#195896080', 'core-relocation'],
      ["R0 invalid mem access 'map_value_or_null'", 'null-pointer'],
      ["R2 invalid mem access 'scalar'", 'scalar-deref'],
      ["R1 invalid mem access 'pkt_end'", 'not-dereferenceable'],
      ['invalid bpf_context access off=76 size=4', 'ctx-access'],
      ['program of this type cannot use helper bpf_probe_read#4', 'helper-not-allowed'],
      ['unknown func bpf_foo#999', 'helper-unknown'],
      ['invalid func unknown#210', 'helper-unknown'],
      ['R1 type=scalar expected=fp, pkt, pkt_meta, map_key, map_value', 'arg-type'],
      ['invalid read from stack off -16+0 size 8', 'uninit-stack'],
      ['something brand new', 'unknown'],
    ];
    for (const [msg, id] of cases) {
      const e = explain(parseLogText(synthetic(msg)));
      assert.equal(e?.id, id, msg);
      assert.equal(e?.file, 'prog.bpf.c', msg);
      assert.equal(e?.insn, 1, msg);
    }
    const big = explain(parseLogText(synthetic('BPF program is too large. Processed 1000001 insn')))!;
    assert.equal(big.facts.processed, 1000001);
  });

  it('libbpf failures before the verifier ran (kfunc prototype mismatch)', () => {
    const out = "libbpf: loading x.o\nlibbpf: extern (func ksym) 'bpf_task_from_pid': func_proto [8] incompatible with kernel [65899]\nlibbpf: failed to load object 'x.o'\n";
    const e = explain(parseLogText(out))!;
    assert.equal(e.id, 'kfunc-missing');
    assert.equal(e.facts.kfunc, 'bpf_task_from_pid');
  });

  it('returns null for a log that passed', () => {
    assert.equal(explain(logOf('meta_good.l2.log')), null);
    assert.equal(explain(logOf('subprog_good.l2.log')), null);
  });
});
