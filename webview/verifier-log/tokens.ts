// Splits a verifier log line into clickable register / stack-slot tokens and plain text.
//
// Registers appear as `r1`, `w1` (the 32-bit half), `R1`, `R1_w` (state dumps); stack slots as
// `fp-8` (state dumps) or as a store/load through `(r10 -8)`. Each is normalised to the slot name the
// trace request uses: `r1` or `fp-8`.

export interface Token {
  text: string;
  /** Normalised slot (`r0`..`r10`, `fp-N`) when the token names one. */
  slot?: string;
}

const TOKEN_RE = /\(r10 ([+-]\d+)\)|\bfp(-\d+)(?:_[a-zA-Z]+)?|\b[RrWw](10|[0-9])(?:_[a-zA-Z]+)?\b/g;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let last = 0;
  TOKEN_RE.lastIndex = 0;
  for (let m = TOKEN_RE.exec(text); m; m = TOKEN_RE.exec(text)) {
    const start = m.index;
    // `w` and `R` are only registers at a word start; `R` inside `PTR_TO_...` is excluded by \b already.
    if (start > last) out.push({ text: text.slice(last, start) });
    let slot: string;
    if (m[1] !== undefined) slot = `fp${m[1].startsWith('+') ? m[1].slice(1) : m[1]}`;
    else if (m[2] !== undefined) slot = `fp${m[2]}`;
    else slot = `r${m[3]}`;
    out.push({ text: m[0], slot });
    last = start + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
