import * as assert from 'node:assert/strict';
import { tokenize } from '../../webview/verifier-log/tokens';

const slots = (t: string) => tokenize(t).filter((x) => x.slot).map((x) => `${x.text}→${x.slot}`);

describe('tokenize (clickable registers and stack slots)', () => {
  it('finds registers in instructions, 32-bit halves and state dumps', () => {
    assert.deepEqual(slots('7: (bf) r3 = r1                       ; R1=pkt_meta(r=0) R3_w=pkt_meta(r=0)'), [
      'r3→r3', 'r1→r1', 'R1→r1', 'R3_w→r3',
    ]);
    assert.deepEqual(slots('12: (bc) w2 = w10'), ['w2→r2', 'w10→r10']);
    assert.deepEqual(slots('from 4 to 14: R0=0 R10=fp0'), ['R0→r0', 'R10→r10']);
  });

  it('names stack slots through r10 and in dumps; leaves `r=`, `fp0` and PTR_TO_ names alone', () => {
    assert.deepEqual(slots('10: (7b) *(u64 *)(r10 -8) = r3 ; fp-8_w=pkt_meta(off=4,r=4)'), ['(r10 -8)→fp-8', 'r3→r3', 'fp-8_w→fp-8']);
    assert.deepEqual(slots('R1 type=PTR_TO_PACKET expected=scalar r=4 fp0'), ['R1→r1']);
  });

  it('keeps every character', () => {
    const t = '9: (2d) if r3 > r2 goto pc+4 ; R2=pkt(r=0) R3=pkt_meta(off=4,r=4)';
    assert.equal(tokenize(t).map((x) => x.text).join(''), t);
  });
});
