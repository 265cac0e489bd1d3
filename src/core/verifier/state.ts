// Parses a register/stack state dump (`frame1: R1_w=pkt(off=4,r=4) fp-8=mmmm???? refs=2`) into named values.

export interface StateEntry {
  /** Normalised name: `r1`, `fp-8`, `refs`. */
  name: string;
  /** The value as printed, e.g. `pkt(off=4,r=4)`, `P0`, `mmmm????`. */
  value: string;
  /** The old `_w` suffix (written in this instruction, kernels before 6.7). */
  written?: boolean;
}

export interface ParsedState {
  frame: number;
  entries: StateEntry[];
}

/**
 * Most entries one state dump can hold: a frame has 11 registers, 64 stack slots and a few fields (`refs=`).
 * A longer dump is not a verifier's; reading it whole would make every query on it cost its length again.
 */
export const MAX_STATE_ENTRIES = 256;

/** Splits on spaces outside parentheses (values like `var_off=(0x0; 0xff)` contain spaces). */
export function parseState(text: string): ParsedState {
  let s = text.trim();
  let frame = 0;
  const fm = /^frame(\d+): ?/.exec(s);
  if (fm) {
    frame = Number(fm[1]);
    s = s.slice(fm[0].length);
  }
  const entries: StateEntry[] = [];
  let depth = 0;
  let start = 0;
  const flush = (end: number) => {
    const tok = s.slice(start, end);
    if (!tok) return;
    const eq = tok.indexOf('=');
    if (eq <= 0) return;
    let key = tok.slice(0, eq);
    let written = false;
    if (key.endsWith('_w')) {
      written = true;
      key = key.slice(0, -2);
    }
    const name = /^R\d+$/.test(key) ? 'r' + key.slice(1) : key === 'fp0' ? 'fp-0' : key;
    const e: StateEntry = { name, value: tok.slice(eq + 1) };
    if (written) e.written = true;
    entries.push(e);
  };
  let i = 0;
  for (; i < s.length && entries.length < MAX_STATE_ENTRIES; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) depth = Math.max(0, depth - 1);
    else if (c === 32 && depth === 0) {
      flush(i);
      start = i + 1;
    }
  }
  if (entries.length < MAX_STATE_ENTRIES) flush(s.length);
  return { frame, entries };
}

/** Reads `key=value` pairs out of a value like `pkt(id=0,off=4,r=4)` → {id:'0', off:'4', r:'4'}; `kind` is `pkt`. */
export function parseValue(value: string): { kind: string; precise: boolean; fields: Record<string, string> } {
  let v = value;
  let precise = false;
  if (/^P[a-z0-9-]/.test(v) && !/^ptr/.test(v)) {
    precise = true;
    v = v.slice(1);
  }
  const open = v.indexOf('(');
  const kind = open < 0 ? v : v.slice(0, open);
  const fields: Record<string, string> = {};
  if (open >= 0) {
    const inner = v.slice(open + 1, v.lastIndexOf(')') > open ? v.lastIndexOf(')') : v.length);
    let depth = 0;
    let start = 0;
    const flush = (end: number) => {
      const tok = inner.slice(start, end);
      const eq = tok.indexOf('=');
      if (eq > 0) {
        // `smax=umax=0xff` sets both names.
        const parts = tok.split('=');
        const val = parts[parts.length - 1];
        for (const k of parts.slice(0, -1)) fields[k] = val;
      }
    };
    for (let i = 0; i < inner.length; i++) {
      const c = inner[i];
      if (c === '(') depth++;
      else if (c === ')') depth--;
      else if (c === ',' && depth === 0) {
        flush(i);
        start = i + 1;
      }
    }
    flush(inner.length);
  }
  return { kind, precise, fields };
}
