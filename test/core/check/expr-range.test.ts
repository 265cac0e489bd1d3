// Expression ranges: a finding's DWARF column widened to the whole access, call or dereference by a token scan.
import { strict as assert } from 'node:assert';
import { expressionRange } from '../../../src/core/check/expr-range';

/** The text `expressionRange` picks when pointed at the `nth` occurrence of `at` in `line`. */
function pick(line: string, at: string, nth = 0): string | undefined {
  let i = -1;
  for (let n = 0; n <= nth; n++) i = line.indexOf(at, i + 1);
  const r = expressionRange(line, i + 1);
  return r && line.slice(r.column - 1, r.endColumn - 1);
}

describe('check: expression ranges', () => {
  it('a store: the left-hand side, not the = the line info points at', () => {
    assert.equal(pick('\tmeta->mark = 42;', '='), 'meta->mark');
    assert.equal(pick('\tmeta->hash += 7;', '+='), 'meta->hash');
    assert.equal(pick('\tev->rx[i].ts = 0;', '='), 'ev->rx[i].ts');
    assert.equal(pick('\t*(__u32 *)(p + 4) = 1;', '= 1'), '*(__u32 *)(p + 4)');
  });

  it('a read: the member chain around the name or the arrow', () => {
    assert.equal(pick('\t__u32 x = meta->rx_hash;', 'rx_hash'), 'meta->rx_hash');
    assert.equal(pick('\t__u32 x = meta->rx_hash;', '->'), 'meta->rx_hash');
    assert.equal(pick('\tif (e->btf_id != want)', 'btf_id'), 'e->btf_id');
  });

  it('a kfunc call: the whole call with its arguments', () => {
    const line = '\tret = bpf_xdp_metadata_rx_hash(ctx, &meta->hash, &t);';
    assert.equal(pick(line, 'bpf_xdp'), 'bpf_xdp_metadata_rx_hash(ctx, &meta->hash, &t)');
    assert.equal(pick(line, '(ctx'), 'bpf_xdp_metadata_rx_hash(ctx, &meta->hash, &t)');
  });

  it('nothing to widen: no range (the caller keeps its own)', () => {
    assert.equal(expressionRange('\treturn;', 20), undefined);
    assert.equal(expressionRange('\t}', 2), undefined);
  });
});
