// Streaming verifier-log parser: feed byte chunks, get typed-array columns (one entry per line, not one object).
import { classifyLine, newClassifyResult, RE_GLOBAL_NOTE, type ClassifyContext, type ClassifyResult } from './classify';
import { Column } from './columns';
import { decodeInsn, InsnFlag } from './insn';
import { LineKind } from './kinds';
import { VerifierLog, type VerifierLogData, type VerifierStats } from './model';
import { BufferTextSource, NoTextSource, type LogTextSource } from './text-source';

export interface ParserOptions {
  /** Keep the bytes fed so line text can be read back (default true). Use false with a FileTextSource. */
  keepText?: boolean;
  /** Name for messages (file path or `<stdin>`). */
  source?: string;
  /** The caller knows the kernel rotated the log (ENOSPC with a rotating buffer): the first line may be cut. */
  rotated?: boolean;
  /** The log level the log was requested with, when known (overrides detection). */
  level?: 1 | 2;
}

const NL = 10;
/**
 * Longest line handed to the classifier. Verifier lines are far shorter; a longer one (a file with no
 * newlines) is classified from its head and still read back whole by offset.
 */
const MAX_CLASSIFY = 1 << 20;
const MAX_FRAMES = 8;
/** The pc-indexed column grows freely up to this many entries past 4 per instruction line seen. */
const DENSE_PC_SLACK = 1 << 16;

export class VerifierLogParser {
  private readonly ctx: ClassifyContext = { liveRegs: false, frameDump: false };
  private readonly r: ClassifyResult = newClassifyResult();
  private readonly kind = new Column(Uint8Array);
  private readonly offset = new Column(Float64Array);
  private readonly pc = new Column(Int32Array);
  private readonly aux = new Column(Int32Array);
  private readonly frame = new Column(Uint8Array);
  private readonly insnLine = new Column(Int32Array);
  private readonly insnWrite = new Column(Int16Array);
  private readonly insnSrc = new Column(Int16Array);
  private readonly insnBase = new Column(Int16Array);
  private readonly insnFlags = new Column(Uint8Array);
  private readonly insnOpcode = new Column(Uint8Array);
  private readonly insnSource = new Column(Int32Array);
  private readonly sourceIds = new Map<string, number>();
  private readonly sources: { file: string; line: number; text: string }[] = [];
  /** Conditional jumps not yet matched by a `from X to Y` line: the verifier's branch stack is LIFO. */
  private readonly jumpPc = new Column(Int32Array);
  private readonly jumpLineCol = new Column(Int32Array);
  private pendingUnknown: number[] = [];
  private readonly errorLines: number[] = [];
  private unknownCount = 0;
  private partialCount = 0;
  private curSource = -1;
  /** A Source line was seen since the last instruction: it names the next instruction's C line. */
  private sourceFresh = false;
  /** Source id per instruction index, learnt where the kernel printed the line (it does not on every path). */
  private readonly pcSource = new Column(Int32Array);
  private readonly pcSourceSparse = new Map<number, number>();
  private curFrame = 0;
  private lastInsnLine = -1;
  private lastInsnPc = -1;
  private bytes = 0;
  /** The unterminated tail, in pieces: joined once its newline arrives, so a giant line costs O(n), not O(n²). */
  private leftover: Buffer[] = [];
  private leftoverLen = 0;
  private readonly chunks: Buffer[] = [];
  private readonly keepText: boolean;
  private sawMarker = false;
  private insideLog = false;
  private firstVerifierLine = true;
  private truncatedHead = false;
  private partialLine = -1;
  private level2 = false;
  private sawStats = false;
  private stats: VerifierStats = {};
  private program: string | undefined;
  private loadError: string | undefined;
  private ended = false;

  constructor(private readonly opts: ParserOptions = {}) {
    this.keepText = opts.keepText ?? true;
  }

  /** Feeds the next chunk (Buffer or string). Lines may span chunks. */
  feed(chunk: Buffer | string): void {
    if (this.ended) throw new Error('VerifierLogParser: feed() after end()');
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (buf.length === 0) return;
    if (this.keepText) this.chunks.push(buf);
    let base = this.bytes;
    this.bytes += buf.length;
    if (this.leftoverLen > 0) {
      if (buf.indexOf(NL) < 0) {
        this.leftover.push(Buffer.from(buf));
        this.leftoverLen += buf.length;
        return;
      }
      base -= this.leftoverLen;
      buf = Buffer.concat([...this.leftover, buf]);
      this.leftover = [];
      this.leftoverLen = 0;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(NL, start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && buf[end - 1] === 13) end--;
      this.line(buf.toString('latin1', start, Math.min(end, start + MAX_CLASSIFY)), base + start);
      start = nl + 1;
    }
    if (start < buf.length) {
      this.leftover = [Buffer.from(buf.subarray(start))];
      this.leftoverLen = buf.length - start;
    }
  }

  /** Finishes the last (unterminated) line and returns the model. */
  end(textSource?: LogTextSource): VerifierLog {
    if (this.ended) throw new Error('VerifierLogParser: end() called twice');
    const endsMidLine = this.leftoverLen > 0;
    if (endsMidLine) {
      const b = Buffer.concat(this.leftover);
      let e = b.length;
      if (e > 0 && b[e - 1] === 13) e--;
      this.line(b.toString('latin1', 0, Math.min(e, MAX_CLASSIFY)), this.bytes - b.length);
      this.leftover = [];
      this.leftoverLen = 0;
    }
    this.ended = true;
    const text = textSource ?? (this.keepText ? new BufferTextSource(Buffer.concat(this.chunks)) : new NoTextSource());
    this.chunks.length = 0;
    const n = this.kind.length;
    const verifierLines = n - this.countKind(LineKind.Tool) - this.countKind(LineKind.Marker) - this.countKind(LineKind.Empty);
    const data: VerifierLogData = {
      source: this.opts.source ?? '<log>',
      kind: this.kind.trim(),
      offset: this.offset.trim(),
      pc: this.pc.trim(),
      aux: this.aux.trim(),
      frame: this.frame.trim(),
      totalBytes: this.bytes,
      insnLine: this.insnLine.trim(),
      insnWrite: this.insnWrite.trim(),
      insnSrc: this.insnSrc.trim(),
      insnBase: this.insnBase.trim(),
      insnFlags: this.insnFlags.trim(),
      insnOpcode: this.insnOpcode.trim(),
      insnSource: this.insnSource.trim(),
      sources: this.sources,
      errorLines: this.errorLines,
      unknownLines: this.unknownCount,
      partialLines: this.partialCount,
      level: this.opts.level ?? (this.level2 ? 2 : 1),
      stats: this.stats,
      truncated: { head: this.truncatedHead, tail: verifierLines > 0 && !this.sawStats },
      endsMidLine,
      program: this.program,
      loadError: this.loadError,
    };
    return new VerifierLog(data, text);
  }

  private countKind(k: LineKind): number {
    let c = 0;
    const d = this.kind.data;
    for (let i = 0; i < this.kind.length; i++) if (d[i] === k) c++;
    return c;
  }

  private line(text: string, off: number): void {
    const idx = this.kind.length;
    const r = this.r;
    let kind = classifyLine(text, this.ctx, r);
    if (kind === LineKind.Marker) {
      this.sawMarker = true;
      this.insideLog = text.includes('BEGIN');
      if (this.insideLog) this.firstVerifierLine = true;
      const pm = /prog '([^']+)'/.exec(text);
      if (pm) this.program = pm[1];
    } else if (this.sawMarker && !this.insideLog && kind !== LineKind.Empty) {
      kind = LineKind.Tool;
    }
    if (kind === LineKind.Tool) {
      const lf = /^libbpf: prog '([^']+)': (?:BPF program load failed|failed to load): (.*)$/.exec(text);
      if (lf) {
        this.program = lf[1];
        this.loadError ??= lf[2];
      }
    }
    if (this.firstVerifierLine && kind !== LineKind.Empty && kind !== LineKind.Tool && kind !== LineKind.Marker) {
      this.firstVerifierLine = false;
      const clean = kind === LineKind.FuncInfo || kind === LineKind.LiveRegsHeader || kind === LineKind.Error ||
        kind === LineKind.Source || kind === LineKind.FuncValidate || kind === LineKind.Stats ||
        ((kind === LineKind.Insn || kind === LineKind.State) && r.pc === 0) ||
        // Printed before anything else for a void/__naked main program.
        (kind === LineKind.Info && RE_GLOBAL_NOTE.test(text));
      if (this.opts.rotated || !clean) {
        kind = LineKind.Partial;
        this.truncatedHead = true;
        this.partialLine = idx;
      }
    }
    let pc = -1;
    let aux = -1;
    let frame = 0;
    switch (kind) {
      case LineKind.Insn: {
        pc = r.pc;
        aux = this.insnLine.length;
        frame = this.frameOf(text, r.stateStart, this.curFrame);
        const d = decodeInsn(r.aux, text.slice(r.textStart, r.textEnd));
        this.lastInsnLine = idx;
        this.lastInsnPc = pc;
        this.insnLine.push(idx);
        this.insnWrite.push(d.write);
        this.insnSrc.push(d.src);
        this.insnBase.push(d.base);
        this.insnFlags.push(d.flags);
        this.insnOpcode.push(r.aux);
        this.insnSource.push(this.sourceFor(pc));
        if (d.flags & InsnFlag.CondJump) {
          this.jumpPc.push(pc);
          this.jumpLineCol.push(idx);
        }
        if (d.flags & InsnFlag.SubprogCall) this.curFrame = Math.min(frame + 1, MAX_FRAMES - 1);
        else if (d.flags & InsnFlag.Exit) this.curFrame = frame > 0 ? frame - 1 : 0;
        else this.curFrame = frame;
        this.pendingUnknown.length = 0;
        if (r.gluedError) this.errorLines.push(idx);
        break;
      }
      case LineKind.State:
      case LineKind.Branch: {
        pc = r.pc;
        frame = this.frameOf(text, r.stateStart, 0);
        this.curFrame = frame;
        if (kind === LineKind.Branch) {
          aux = this.matchJump(r.aux);
          if (text.endsWith(': safe')) this.level2 = true;
        }
        this.pendingUnknown.length = 0;
        break;
      }
      case LineKind.Source: {
        aux = this.source(text);
        this.curSource = aux;
        this.sourceFresh = true;
        break;
      }
      case LineKind.LiveRegs:
        pc = r.pc;
        this.level2 = true;
        break;
      case LineKind.Pruned:
        pc = r.pc;
        break;
      case LineKind.FuncInfo:
      case LineKind.LiveRegsHeader:
      case LineKind.Precise:
        this.level2 = true;
        break;
      case LineKind.FuncValidate:
        if (text.startsWith('Validating')) this.level2 = true;
        break;
      case LineKind.Error:
        this.errorLines.push(idx);
        break;
      case LineKind.Unknown:
        this.unknownCount++;
        this.pendingUnknown.push(idx);
        break;
      case LineKind.Partial:
        this.partialCount++;
        break;
      case LineKind.Stats:
      case LineKind.VerificationTime:
      case LineKind.StackDepth:
        this.trailer(kind, text);
        break;
    }
    // Unknown lines stay candidates for the rejection message until a structural line follows them.
    if (kind !== LineKind.Unknown && kind !== LineKind.Empty && kind !== LineKind.Error && kind !== LineKind.StateCompare) {
      this.pendingUnknown.length = 0;
    }
    this.kind.push(kind);
    this.offset.push(off);
    this.pc.push(pc);
    this.aux.push(aux);
    this.frame.push(frame);
  }

  private sourceFor(pc: number): number {
    const col = this.pcSource;
    // Dense up to what the input could fill (a program's pcs are about as many as its insn lines); a pc
    // beyond that (`4294967295: (b7) r0 = 2`) goes to a map, so memory follows the input's size, not its numbers.
    const dense = pc < col.length || pc <= DENSE_PC_SLACK + 4 * this.insnLine.length;
    if (dense) while (col.length <= pc) col.push(-1);
    if (this.sourceFresh) {
      if (dense) col.data[pc] = this.curSource;
      else this.pcSourceSparse.set(pc, this.curSource);
      this.sourceFresh = false;
      return this.curSource;
    }
    let known = dense ? col.data[pc] : -1;
    if (known < 0 && this.pcSourceSparse.size) known = this.pcSourceSparse.get(pc) ?? -1;
    if (known >= 0) {
      this.curSource = known;
      return known;
    }
    return this.curSource;
  }

  private frameOf(text: string, stateStart: number, dflt: number): number {
    if (!stateStart) return dflt;
    let i = stateStart;
    while (text.charCodeAt(i) === 32) i++;
    if (text.startsWith('frame', i)) {
      const f = Number(text.slice(i + 5, text.indexOf(':', i)));
      if (f >= 0 && f < MAX_FRAMES) return f;
    }
    return stateStart ? 0 : dflt;
  }

  /** Pops the branch stack down to the jump at `fromPc` and returns that jump's line (-1 if unknown). */
  private matchJump(fromPc: number): number {
    const pcs = this.jumpPc.data;
    // Bounded: jumps whose other side was never pushed pile up; a deep scan would make long logs quadratic.
    const stop = Math.max(0, this.jumpPc.length - 65536);
    for (let i = this.jumpPc.length - 1; i >= stop; i--) {
      if (pcs[i] === fromPc) {
        const line = this.jumpLineCol.data[i];
        this.jumpPc.length = i;
        this.jumpLineCol.length = i;
        return line;
      }
    }
    // `from 17 to 1` right after a subprogram's exit at 17: the path simply continues in the caller.
    return fromPc === this.lastInsnPc ? this.lastInsnLine : -1;
  }

  private source(text: string): number {
    let id = this.sourceIds.get(text);
    if (id !== undefined) return id;
    id = this.sources.length;
    const m = /^;\s?(.*?) @ (\S+):(\d+)$/.exec(text);
    if (m) this.sources.push({ text: m[1], file: m[2], line: Number(m[3]) });
    else this.sources.push({ text: text.replace(/^;\s?/, ''), file: '', line: 0 });
    this.sourceIds.set(text, id);
    return id;
  }

  private trailer(kind: LineKind, text: string): void {
    // Unrecognised lines between the last instruction and the trailer are the rejection message.
    if (this.pendingUnknown.length) {
      for (const i of this.pendingUnknown) {
        this.kind.data[i] = LineKind.Error;
        this.unknownCount--;
        this.errorLines.push(i);
      }
      this.errorLines.sort((a, b) => a - b);
      this.pendingUnknown.length = 0;
    }
    // An unrecognised first line followed directly by the statistics is an early rejection, not a cut line.
    if (this.errorLines.length === 0 && this.partialLine >= 0 && this.insnLine.length === 0 && !this.opts.rotated) {
      this.kind.data[this.partialLine] = LineKind.Error;
      this.errorLines.push(this.partialLine);
      this.partialCount--;
      this.partialLine = -1;
      this.truncatedHead = false;
    }
    if (kind === LineKind.Stats) {
      this.sawStats = true;
      const num = (name: string): number | undefined => {
        const m = new RegExp(`\\b${name} (\\d+)`).exec(text);
        return m ? Number(m[1]) : undefined;
      };
      const p = /^processed (\d+) insns(?: \(limit (\d+)\))?/.exec(text);
      this.stats.processed_insns = p ? Number(p[1]) : undefined;
      this.stats.insn_limit = p?.[2] !== undefined ? Number(p[2]) : undefined;
      this.stats.max_states_per_insn = num('max_states_per_insn');
      this.stats.total_states = num('total_states');
      this.stats.peak_states = num('peak_states');
      this.stats.mark_read = num('mark_read');
      const sd = /stack depth ([\d+]+)/.exec(text);
      if (sd) this.stats.stack_depth = sd[1].split('+').map(Number);
    } else if (kind === LineKind.VerificationTime) {
      this.stats.verification_time_usec = Number(/(\d+)/.exec(text)![1]);
    } else {
      this.stats.stack_depth = /([\d+]+)$/.exec(text)![1].split('+').map(Number);
    }
  }
}
