// Classifies one verifier-log line (kernels 5.x to 6.18, levels 1 and 2) and pulls out its position fields.
import { LineKind } from './kinds';

/** Context carried from line to line (sections whose lines look alike without their header). */
export interface ClassifyContext {
  /** Inside a `Live regs before insn:` section. */
  liveRegs: boolean;
  /** After `caller:` / `callee:` / `returning from callee:` / `to caller at N:`. */
  frameDump: boolean;
}

/** Fields of the last classified line; reused to avoid an allocation per line. */
export interface ClassifyResult {
  kind: LineKind;
  /** Insn/State/Branch(target)/LiveRegs: instruction index; -1 otherwise. */
  pc: number;
  /** Branch: the jump's index (`from X`); Insn: the opcode byte. */
  aux: number;
  /** Insn: start of the disassembly; 0 otherwise. */
  textStart: number;
  /** Insn: end of the disassembly (exclusive). */
  textEnd: number;
  /** Insn/State/Branch: start of the state dump after `;`/`:`; 0 when none. */
  stateStart: number;
  /** Insn: an error message glued to the end of the line (`... goto pc-8 BPF program is too large. ...`). */
  gluedError: number;
}

export function newClassifyResult(): ClassifyResult {
  return { kind: LineKind.Unknown, pc: -1, aux: -1, textStart: 0, textEnd: 0, stateStart: 0, gluedError: 0 };
}

/** Error messages the kernel prints when it rejects a program (start of line). */
export const ERROR_PATTERNS: readonly RegExp[] = [
  /^invalid (access|read|write|size|stack|mem|bpf_context|indirect|zero-sized|variable|func|argument|insn|jmp|BPF_|map|return|kptr|kfunc|negative|arg|btf|dynptr|CO-RE|unsigned|offset|bpf_|cgroup|ld_imm64|src|dst|field|reference|program|ctx)/,
  /^R\d+ (?!=)[!a-zA-Z]/,
  /^Unreleased reference /,
  /^BPF_EXIT instruction .*(reference leak|lead to)/,
  /^back-edge from insn /,
  /^infinite loop detected/,
  /^BPF program is too large/,
  /^The sequence of \d+ jumps is too complex/,
  /^unreachable insn /,
  /^jump out of range/,
  /^last insn is not an exit or jmp/,
  /^combined stack size of /,
  /^failed to resolve CO-RE relocation/,
  /^metadata kfuncs require device-bound program/,
  /^calling kernel function \S+ is not allowed/,
  /^kernel btf_id \d+ is not a function/,
  /^kernel function \S+ /,
  /^kfunc \S+ /,
  /^(unknown|unsupported|Unsupported|Unrecognized) /,
  /^program of this type cannot use helper /,
  /^cannot (call|pass|write|access|use|overwrite|release|handle|return|attach)/,
  /^(Possibly NULL|dereference of modified|misaligned|math between|pointer arithmetic|only read|only one|attempt to corrupt|expected|too many|function calls are not allowed|arg#\d+ |Type |helper call|loop detected|same insn cannot|At program exit|Global function|global function|func#\d+ .*(not|supported)|Func#\d+ .* (should|invalid|not)|BPF_LD_|BPF_LDX|BPF_ST|BPF_ALU|BPF_JMP|BPF_CALL|BPF_ENDIAN|BPF_NEG|BPF_END|BPF_MOV|div by zero|frame pointer is read only|Invalid|the call stack of \d+ frames is too deep|tail_calls are not allowed|reg type unsupported|map_ptr|mixing of tail_calls|sleepable|Cannot|verifier internal error|verifier bug|bpf_spin_lock|spin_lock|function|callback|R0 leaks|At callback return|At subprogram exit|At async callback return|Unable to|fd \d+ is not pointing|Dynptr|dynptr|ref_obj_id|release kernel function|the prog does not allow|writes into|program must be sleepable|async callback|Caller passes invalid args)/,
  /^\d+ bytes? (of|too) /,
  /^(Load|Store|stack) .* (out of|not allowed|is invalid|too)/,
];

const RE_INSN = /^(\d+): \(([0-9a-f]{2})\) /;
const RE_STATE = /^(\d+): (?:frame\d+: ?)?(?:[Rr]\d|fp|refs=|$)/;
const RE_BRANCH = /^from (\d+) to (\d+)(?: \([^)]*\))?: ?/;
const RE_FUNC_INFO = /^func#\d+ @\d+$/;
const RE_LIVE = /^ +(?:\d+ +)?(\d+): [.0-9]{10,} /;
const RE_LIVE_NOPAD = /^(?:\d+ +)?(\d+): [.0-9]{10,} /;
const RE_LIVENESS = /^\([\d,]+\) (?:frame \d+ insn \d+ [+-]|live stack )/;
const RE_STATS = /^processed \d+ insns/;
const RE_GLUED_STATE = / (\d+): (?:frame\d+: )?R\d/;
export const RE_GLOBAL_NOTE = /^Global function \S+ doesn't return scalar\. Only those are supported\.$/;
const RE_GLUED_ERROR = / (BPF program is too large|infinite loop detected|The sequence of \d+ jumps)/;

export function isErrorMessage(line: string): boolean {
  for (const re of ERROR_PATTERNS) if (re.test(line)) return true;
  return false;
}

function reset(r: ClassifyResult, kind: LineKind): LineKind {
  r.kind = kind;
  r.pc = -1;
  r.aux = -1;
  r.textStart = 0;
  r.textEnd = 0;
  r.stateStart = 0;
  r.gluedError = 0;
  return kind;
}

/** Classifies `line` (no newline). Dispatches on the first character so most lines cost one regex. */
export function classifyLine(line: string, ctx: ClassifyContext, r: ClassifyResult): LineKind {
  const len = line.length;
  if (len === 0) {
    ctx.frameDump = false;
    ctx.liveRegs = false;
    return reset(r, LineKind.Empty);
  }
  const c = line.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    if (ctx.liveRegs) {
      // Wide instruction indexes leave no padding: `1234: 0......... (95) exit`.
      const lm = RE_LIVE_NOPAD.exec(line);
      if (lm) {
        reset(r, LineKind.LiveRegs);
        r.pc = Number(lm[1]);
        return LineKind.LiveRegs;
      }
    }
    ctx.liveRegs = false;
    ctx.frameDump = false;
    const m = RE_INSN.exec(line);
    if (m) {
      reset(r, LineKind.Insn);
      r.pc = Number(m[1]);
      r.aux = parseInt(m[2], 16);
      r.textStart = m[0].length;
      const semi = line.indexOf(';', r.textStart);
      if (semi >= 0) {
        r.stateStart = semi + 1;
        let e = semi;
        while (e > r.textStart && line.charCodeAt(e - 1) === 32) e--;
        r.textEnd = e;
      } else {
        r.textEnd = len;
        // Level 1 glues the next state (`goto pc-8 11: R0=...`) or the final error to the instruction.
        const ge = RE_GLUED_ERROR.exec(line);
        if (ge) {
          r.gluedError = ge.index + 1;
          r.textEnd = ge.index;
        } else {
          const gs = RE_GLUED_STATE.exec(line);
          if (gs && gs.index > r.textStart) {
            r.textEnd = gs.index;
            r.stateStart = gs.index + 1;
          }
        }
        while (r.textEnd > r.textStart && line.charCodeAt(r.textEnd - 1) === 32) r.textEnd--;
      }
      return LineKind.Insn;
    }
    const s = RE_STATE.exec(line);
    if (s) {
      reset(r, LineKind.State);
      r.pc = Number(s[1]);
      r.stateStart = s[1].length + 1;
      return LineKind.State;
    }
    const pr = /^(\d+): safe$/.exec(line);
    if (pr) {
      reset(r, LineKind.Pruned);
      r.pc = Number(pr[1]);
      return LineKind.Pruned;
    }
    // `6: <invalid CO-RE relocation>`: libbpf's poisoned instruction as the kernel prints it.
    const inv = /^(\d+): <([^>]*)>/.exec(line);
    if (inv) {
      reset(r, LineKind.Insn);
      r.pc = Number(inv[1]);
      r.aux = 0x85;
      r.textStart = inv[1].length + 2;
      r.textEnd = inv[0].length;
      return LineKind.Insn;
    }
    if (isErrorMessage(line)) return reset(r, LineKind.Error);
    return reset(r, LineKind.Unknown);
  }
  if (c === 59 /* ; */) {
    ctx.liveRegs = false;
    ctx.frameDump = false;
    return reset(r, LineKind.Source);
  }
  if (c === 32 || c === 9) {
    if (ctx.liveRegs) {
      const m = RE_LIVE.exec(line);
      if (m) {
        reset(r, LineKind.LiveRegs);
        r.pc = Number(m[1]);
        return LineKind.LiveRegs;
      }
    }
    if (ctx.frameDump && /^ (?:frame\d+: ?)?(?:R\d|fp|refs=)/.test(line)) return reset(r, LineKind.FrameState);
    if (RE_LIVE.test(line)) {
      reset(r, LineKind.LiveRegs);
      r.pc = Number(RE_LIVE.exec(line)![1]);
      return LineKind.LiveRegs;
    }
    if (/^ (?:frame\d+: ?)?(?:R\d+(?:_w)?=|fp-?\d+=)/.test(line)) {
      // Kernels up to ~5.15 print the fall-through state after a conditional jump as ` R1_w=... R10=fp0`.
      reset(r, LineKind.State);
      r.stateStart = 1;
      return LineKind.State;
    }
    return classifyText(line.trimStart(), line, ctx, r);
  }
  ctx.liveRegs = false;
  return classifyText(line, line, ctx, r);
}

function classifyText(t: string, line: string, ctx: ClassifyContext, r: ClassifyResult): LineKind {
  const c = t.charCodeAt(0);
  switch (c) {
    case 102: /* f */ {
      const b = RE_BRANCH.exec(t);
      if (b) {
        ctx.frameDump = false;
        reset(r, LineKind.Branch);
        r.pc = Number(b[2]);
        r.aux = Number(b[1]);
        r.stateStart = line.length - t.length + b[0].length;
        return LineKind.Branch;
      }
      if (RE_FUNC_INFO.test(t)) return reset(r, LineKind.FuncInfo);
      if (t.startsWith('frame ') && / propagating /.test(t)) return reset(r, LineKind.Precise);
      if (t.startsWith('frame') && /^frame\d+: (R\d|fp|refs)/.test(t)) return reset(r, LineKind.FrameState);
      break;
    }
    case 109: /* m */
      if (t.startsWith('mark_precise')) return reset(r, LineKind.Precise);
      break;
    case 112: /* p */
      if (RE_STATS.test(t)) return reset(r, LineKind.Stats);
      if (t.startsWith('propagating ') || t.startsWith('parent ')) return reset(r, LineKind.Precise);
      if (t.startsWith('prog ') && t.includes('LOAD LOG')) return reset(r, LineKind.Marker);
      break;
    case 108: /* l */
      if (t.startsWith('last_idx ')) return reset(r, LineKind.Precise);
      if (t.startsWith('libbpf: ')) return reset(r, t.includes(' PROG LOAD LOG --') ? LineKind.Marker : LineKind.Tool);
      break;
    case 114: /* r */
      if (t.startsWith('regs=')) return reset(r, LineKind.Precise);
      if (t.startsWith('returning from callee:')) {
        ctx.frameDump = true;
        return reset(r, LineKind.FrameHeader);
      }
      break;
    case 99: /* c */
      if (t === 'caller:' || t === 'callee:') {
        ctx.frameDump = true;
        return reset(r, LineKind.FrameHeader);
      }
      if (t.startsWith('cur state:')) return reset(r, LineKind.StateCompare);
      break;
    case 111: /* o */
      if (t.startsWith('old state:')) return reset(r, LineKind.StateCompare);
      break;
    case 116: /* t */
      if (/^to caller at \d+:$/.test(t)) {
        ctx.frameDump = true;
        return reset(r, LineKind.FrameHeader);
      }
      break;
    case 118: /* v */
      if (/^verification time \d+ usec$/.test(t)) return reset(r, LineKind.VerificationTime);
      break;
    case 115: /* s */
      if (/^stack depth [\d+]+$/.test(t)) return reset(r, LineKind.StackDepth);
      break;
    case 76: /* L */
      if (t.startsWith('Live regs before insn')) {
        ctx.liveRegs = true;
        return reset(r, LineKind.LiveRegsHeader);
      }
      break;
    case 83: /* S */
      if (t.startsWith('SCC ')) return reset(r, LineKind.Scc);
      break;
    case 86: /* V */
      if (/^Validating \S+ func#\d+/.test(t)) return reset(r, LineKind.FuncValidate);
      break;
    case 70: /* F */
      // 6.1 prints no ('name') and says "is global and valid. Skipping."
      if (/^Func#-?\d+ (\('.*'\) )?is (global and (assumed )?valid|safe for any args)/.test(t)) return reset(r, LineKind.FuncValidate);
      break;
    case 45: /* - */
      if (t.startsWith('-- BEGIN PROG LOAD LOG') || t.startsWith('-- END PROG LOAD LOG')) return reset(r, LineKind.Marker);
      break;
    case 98: /* b */
      if (t.startsWith('bpftool: ') || t.startsWith('bpftool ')) return reset(r, LineKind.Tool);
      break;
    case 105: /* i */
      if (/^insn \d+ cannot be patched/.test(t)) return reset(r, LineKind.Info);
      break;
    case 71: /* G */
      // A note, not the rejection: the kernel prints it for every void/__naked global function (the main
      // program too) and goes on verifying; when it matters, the final complaint follows it.
      if (RE_GLOBAL_NOTE.test(t)) return reset(r, LineKind.Info);
      break;
    case 40: /* ( */
      if (RE_LIVENESS.test(t)) return reset(r, LineKind.Liveness);
      break;
    case 82: /* R */
      if (/^R\d+(_w)?=/.test(t)) return reset(r, LineKind.FrameState);
      break;
  }
  if (isErrorMessage(t)) return reset(r, LineKind.Error);
  return reset(r, LineKind.Unknown);
}
