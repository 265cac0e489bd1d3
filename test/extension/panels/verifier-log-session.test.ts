import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { openLogFileSync, openLogText } from '../../../src/extension/panels/verifier-log-core';
import { VerifierLogSession } from '../../../src/extension/panels/verifier-log-session';
import { MAX_ROWS_PER_REQUEST, parseVerifierLogViewState } from '../../../src/shared/webview-protocol';

const FIXTURE = path.join(__dirname, 'fixtures/meta_short_check.vlog');

describe('verifier log session (the extension side of the paging protocol)', () => {
  const doc = openLogFileSync(FIXTURE);
  const s = new VerifierLogSession(doc, 'file:///logs/meta_short_check.vlog', 'meta_short_check.vlog');

  it('init carries the summary, the explained error and no rows', () => {
    const init = s.init();
    assert.equal(init.type, 'init');
    if (init.type !== 'init') return;
    assert.equal(init.totalRows, 40);
    assert.equal(init.error?.message, 'invalid access to packet, off=4 size=4, R1(id=0,off=4,r=4)');
    assert.equal(init.error?.insn, 11);
    assert.deepEqual(init.error?.source, { file: 'meta_short_check.bpf.c', line: 17 });
    assert.match(init.error!.explanation!, /proved only 4 bytes/);
    assert.match(init.error!.fix!, /8 bytes/);
    assert.equal(init.error?.history?.[0].insn, 6);
    assert.ok(!('rows' in init));
  });

  it('answers getRows with exactly the asked page, clamped to the log and to MAX_ROWS_PER_REQUEST', () => {
    const r = s.handle({ type: 'getRows', reqId: 7, from: 30, to: 35 });
    assert.equal(r?.type, 'rows');
    if (r?.type !== 'rows') return;
    assert.equal(r.reqId, 7);
    assert.equal(r.from, 30);
    assert.deepEqual(r.rows.map((x) => x.index), [30, 31, 32, 33, 34]);
    assert.deepEqual(r.rows.map((x) => x.kind), ['insn', 'insn', 'insn', 'source', 'insn']);
    assert.deepEqual(r.rows[0].regs, { r3: 'pkt_meta(off=4,r=0)' });
    assert.deepEqual(r.rows[3].source, { file: 'meta_short_check.bpf.c', line: 17 });
    const past = s.handle({ type: 'getRows', reqId: 8, from: 38, to: 1e9 });
    assert.deepEqual(past?.type === 'rows' && past.rows.map((x) => x.index), [38, 39]);
    const bad = s.handle({ type: 'getRows', reqId: 9, from: -5, to: Number.NaN });
    assert.deepEqual(bad?.type === 'rows' && bad.rows, []);
    const big = openLogText(Array.from({ length: 5000 }, (_, i) => `${i}: (b7) r0 = ${i}`).join('\n'));
    const many = new VerifierLogSession(big, 'x', 'x').handle({ type: 'getRows', reqId: 1, from: 0, to: 5000 });
    assert.equal(many?.type === 'rows' && many.rows.length, MAX_ROWS_PER_REQUEST);
  });

  it('searches forwards and backwards with wrap-around and smart case', () => {
    const fwd = s.handle({ type: 'search', reqId: 1, query: 'r3 += 4', from: 0, backwards: false });
    assert.deepEqual(fwd?.type === 'searchResult' && [fwd.row, fwd.total], [9, 2]);
    const next = s.handle({ type: 'search', reqId: 2, query: 'r3 += 4', from: 9, backwards: false });
    assert.equal(next?.type === 'searchResult' && next.row, 30);
    const wrap = s.handle({ type: 'search', reqId: 3, query: 'r3 += 4', from: 30, backwards: false });
    assert.equal(wrap?.type === 'searchResult' && wrap.row, 9);
    const back = s.handle({ type: 'search', reqId: 4, query: 'r3 += 4', from: 9, backwards: true });
    assert.equal(back?.type === 'searchResult' && back.row, 30);
    const cased = s.handle({ type: 'search', reqId: 5, query: 'R1 offset', from: 0, backwards: false });
    assert.equal(cased?.type === 'searchResult' && cased.row, 36);
    const none = s.handle({ type: 'search', reqId: 6, query: 'R1 OFFSET', from: 0, backwards: false });
    assert.deepEqual(none?.type === 'searchResult' && [none.row, none.total], [-1, 0]);
  });

  it('traces a register back through the writes that produced it', () => {
    // Row 31 is `9: if r3 > r2 goto pc+4`: r3 came from `r3 += 4` (insn 8), `r3 = r1` (7), `r1 = *(u32 *)(r6 +8)` (6).
    const t = s.handle({ type: 'trace', reqId: 3, row: 31, slot: 'r3' });
    assert.equal(t?.type, 'traceResult');
    if (t?.type !== 'traceResult') return;
    assert.equal(t.value, 'pkt_meta(off=4,r=4)');
    assert.deepEqual(t.chain.map((l) => [l.row, l.insn, l.slot]), [[30, 8, 'r3'], [29, 7, 'r3'], [27, 6, 'r1']]);
    assert.deepEqual(t.chain.map((l) => l.from), ['r3', 'r1', undefined]);
    // Clicking the destination of `r3 = r1` starts at that instruction.
    const self = s.handle({ type: 'trace', reqId: 4, row: 29, slot: 'r3' });
    assert.deepEqual(self?.type === 'traceResult' && self.chain.map((l) => l.insn), [7, 6]);
    // Unknown slot names are refused, not guessed.
    const junk = s.handle({ type: 'trace', reqId: 5, row: 31, slot: 'r99; alert(1)' });
    assert.equal(junk?.type === 'traceResult' && junk.slot, 'r0');
  });

  it('reveals an instruction on the failing path; restores state for the same log only', () => {
    assert.deepEqual(s.reveal(11), { type: 'reveal', row: 34 });
    assert.deepEqual(s.reveal(999), { type: 'reveal', insn: 999 });
    const st = { uri: 'file:///logs/meta_short_check.vlog', topRow: 12, collapseExplored: true };
    const i1 = s.init(st);
    assert.deepEqual(i1.type === 'init' && i1.state, st);
    const i2 = s.init({ ...st, uri: 'file:///other.vlog' });
    assert.equal(i2.type === 'init' && i2.state, undefined);
  });

  it('explored segments run from each `from X to Y` to the next, ending at the rejection', () => {
    const log = [
      '0: (b7) r0 = 0', '1: (15) if r1 == 0x0 goto pc+2', '2: (b7) r0 = 1', '3: (95) exit',
      'from 1 to 4: R0=0 R1=0 R10=fp0', '4: (b7) r0 = 2', '5: (95) exit',
      'from 1 to 6: R0=0 R1=0 R10=fp0', '6: (61) r2 = *(u32 *)(r1 +0)', 'R1 invalid mem access \'scalar\'',
      'processed 9 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0',
    ].join('\n');
    const d = openLogText(log);
    assert.deepEqual(d.branches, [4, 7]);
    assert.deepEqual(d.segments, [4, 7, 7, 9]);
    assert.equal(d.error?.row, 9);
  });
});

describe('parseVerifierLogViewState (state read back after a reload)', () => {
  it('keeps valid fields and drops the rest, never throws', () => {
    assert.equal(parseVerifierLogViewState(undefined), undefined);
    assert.equal(parseVerifierLogViewState('x'), undefined);
    assert.equal(parseVerifierLogViewState({ topRow: 3 }), undefined, 'no uri');
    assert.deepEqual(
      parseVerifierLogViewState({ uri: 'file:///a.vlog', topRow: -1, selectedRow: 2.5, query: 7, collapseExplored: 'yes', toggled: [1, 'x', 3] }),
      { uri: 'file:///a.vlog', topRow: 0, collapseExplored: false, toggled: [1, 3] },
    );
    const full = { uri: 'file:///a.vlog', topRow: 10, selectedRow: 12, query: 'r3', collapseExplored: true, toggled: [4] };
    assert.deepEqual(parseVerifierLogViewState(JSON.parse(JSON.stringify(full))), full);
  });
});
