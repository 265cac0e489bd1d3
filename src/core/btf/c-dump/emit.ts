// Pass 2 of the C dump: emission of forward declarations and definitions in C syntax (libbpf btf_dump_emit_type).
import { XdpMetaError } from '../../util/errors';
import type { ByteOut } from './byte-out';
import type { TypeLayout } from './layout';
import type { Fname, TypeNames } from './names';
import { BPF_TARGET, BTF_KIND, type RawTable } from './raw-table';

const { ARRAY, CONST, ENUM, ENUM64, FLOAT, FUNC_PROTO, FWD, INT, PTR, RESTRICT, STRUCT, TYPEDEF, TYPE_TAG, UNION,
  VOLATILE } = BTF_KIND;
const { PTR_SIZE } = BPF_TARGET;

/** Padding filler types, widest first (libbpf's choice of `long`/`int`/`short`/`char` bitfields). */
const PADS: readonly (readonly [string, number])[] = [['long', PTR_SIZE * 8], ['int', 32], ['short', 16], ['char', 8]];
const roundup = (x: number, y: number): number => (y === 0 ? x : Math.ceil(x / y) * y);
const MAX_PADDING_BITS = 8 << 20;
const TABS = '\t\t\t\t\t\t\t\t\t\t\t\t\t'; // as ByteOut.nl: indentation saturates at 13 levels (libbpf)
const pfx = (lvl: number): string => TABS.slice(0, Math.min(lvl, TABS.length));

const NOT_EMITTED = 0, EMITTING = 1, EMITTED = 2;

const MISSING_BASE_TYPES = new Map([
  ['__Poly8_t', 'unsigned char'], ['__Poly16_t', 'unsigned short'],
  ['__Poly64_t', 'unsigned long long'], ['__Poly128_t', 'unsigned __int128'],
]);

/** Writes C declarations into one output buffer; tracks per id what was already emitted or forward-declared. */
export class CEmitter {
  private readonly n: number;
  private readonly emitState: Uint8Array;
  private readonly fwdEmitted: Uint8Array;

  constructor(
    private readonly r: RawTable,
    private readonly o: ByteOut,
    private readonly names: TypeNames,
    private readonly layout: TypeLayout,
    /** Force odd enum sizes with mode(byte)/mode(word), as libbpf does since Dec 2022 (false: as older libbpf). */
    private readonly enumModes = true,
  ) {
    this.n = r.btf.count;
    this.emitState = new Uint8Array(this.n);
    this.fwdEmitted = new Uint8Array(this.n);
    this.emitState[0] = EMITTED;
  }

  private isBlacklisted(id: number): boolean {
    // A compiler built-in: redefining it breaks compilation.
    return this.r.nameOff[id] !== 0 && this.names.name(id) === '__builtin_va_list';
  }

  /** Emits `id` at top level (contId 0), or what member type `id` of container `contId` needs first. */
  emitType(id: number, contId: number): void {
    const r = this.r;
    if (this.emitState[id] === EMITTED) return;
    const kind = r.kind[id]!;
    const topLevel = contId === 0;
    if (this.emitState[id] === EMITTING) {
      if (this.fwdEmitted[id]) return;
      if (kind === STRUCT || kind === UNION) {
        if (id === contId) return; // referring to the struct we are inside of
        if (r.nameOff[id] === 0) return; // anonymous loop: nothing sensible to emit
        this.emitStructFwd(id);
        this.o.s(';\n\n');
        this.fwdEmitted[id] = 1;
      } else if (kind === TYPEDEF) {
        // The typedef serves as a forward declaration for pointer uses.
        if (!this.isBlacklisted(id)) { this.emitTypedefDef(id, 0); this.o.s(';\n\n'); }
        this.fwdEmitted[id] = 1;
      }
      return;
    }
    switch (kind) {
      case INT:
        this.emitMissingAliases(id);
        this.emitState[id] = EMITTED;
        break;
      case ENUM: case ENUM64:
        if (topLevel) { this.emitEnumDef(id, 0); this.o.s(';\n\n'); }
        this.emitState[id] = EMITTED;
        break;
      case PTR: case VOLATILE: case CONST: case RESTRICT: case TYPE_TAG:
        this.emitType(r.st[id]!, contId);
        break;
      case ARRAY:
        this.emitType(r.u32(id, 0), contId);
        break;
      case FWD:
        this.emitFwdDef(id);
        this.o.s(';\n\n');
        this.emitState[id] = EMITTED;
        break;
      case TYPEDEF:
        this.emitState[id] = EMITTING;
        this.emitType(r.st[id]!, id);
        if (!this.fwdEmitted[id] && !this.isBlacklisted(id)) { this.emitTypedefDef(id, 0); this.o.s(';\n\n'); }
        this.emitState[id] = EMITTED;
        break;
      case STRUCT: case UNION: {
        this.emitState[id] = EMITTING;
        const anon = r.nameOff[id] === 0;
        // A definition spells out every member type, so their forward declarations come first.
        if (topLevel || anon) {
          const cont = anon ? contId : id;
          const vlen = r.vlen[id]!;
          for (let j = 0; j < vlen; j++) this.emitType(r.u32(id, 12 * j + 4), cont);
        } else if (!this.fwdEmitted[id] && id !== contId) {
          this.emitStructFwd(id);
          this.o.s(';\n\n');
          this.fwdEmitted[id] = 1;
        }
        if (topLevel) {
          this.emitStructDef(id, 0);
          this.o.s(';\n\n');
          this.emitState[id] = EMITTED;
        } else {
          this.emitState[id] = NOT_EMITTED;
        }
        break;
      }
      case FUNC_PROTO: {
        this.emitType(r.st[id]!, contId);
        const vlen = r.vlen[id]!;
        for (let j = 0; j < vlen; j++) this.emitType(r.u32(id, 8 * j + 4), contId);
        break;
      }
      default: break;
    }
  }

  // ---- struct/union ----

  private emitBitPadding(curOff: number, nextOff: number, nextAlign: number, inBitfield: boolean, lvl: number): void {
    if (curOff >= nextOff) return;
    // Kernel padding holes are at most a page or so; a hole of megabytes is a corrupt offset or size
    // (and would be spelled as millions of `long: 64;` lines).
    if (nextOff - curOff > MAX_PADDING_BITS) {
      throw new XdpMetaError(`${this.r.btf.source}: a ${(nextOff - curOff) >> 3}-byte hole inside a struct: the BTF is corrupt`);
    }
    const pads = PADS;
    let padType = 'char';
    let padBits = 8;
    let newOff = curOff;
    // The largest type whose natural alignment lands at or before the next field.
    for (const [t, bits] of pads) {
      padType = t;
      padBits = bits;
      newOff = roundup(curOff, bits);
      if (newOff <= nextOff) break;
    }
    if (newOff > curOff && newOff <= nextOff) {
      // An explicit `<type>: 0` is needed when the compiler would not align there by itself.
      if (inBitfield || (newOff === nextOff && roundup(curOff, nextAlign * 8) !== newOff)
        || (newOff !== nextOff && nextOff - newOff <= newOff - curOff)) {
        this.o.s(`\n${pfx(lvl)}${padType}: ${inBitfield ? newOff - curOff : 0};`);
      }
      curOff = newOff;
    }
    while (curOff !== nextOff) {
      const bits = Math.min(nextOff - curOff, padBits);
      if (bits === padBits) {
        this.o.s(`\n${pfx(lvl)}${padType}: ${padBits};`);
        curOff += bits;
        continue;
      }
      // The remainder: the smallest type that holds it.
      for (let i = pads.length - 1; i >= 0; i--) {
        const [t, pb] = pads[i]!;
        padType = t;
        padBits = pb;
        if (pb < bits) continue;
        this.o.s(`\n${pfx(lvl)}${t}: ${bits};`);
        curOff += bits;
        break;
      }
    }
  }

  private emitStructFwd(id: number): void {
    const name = this.names.typeName(id);
    this.o.s(this.r.kind[id] === STRUCT ? (this.r.nameOff[id] ? 'struct ' : 'struct') : (this.r.nameOff[id] ? 'union ' : 'union'));
    this.writeName(name);
  }

  private emitStructDef(id: number, lvl: number): void {
    const r = this.r;
    const isStruct = r.kind[id] === STRUCT;
    const vlen = r.vlen[id]!;
    const kf = r.kflag[id]!;
    const align = this.layout.alignOf(id);
    const packed = isStruct ? this.layout.isStructPacked(id) : false;
    const name = this.names.typeName(id);
    this.o.s(isStruct ? (r.nameOff[id] ? 'struct ' : 'struct') : (r.nameOff[id] ? 'union ' : 'union'));
    this.writeName(name);
    this.o.s(' {');
    let off = 0;
    let prevBitfield = false;
    for (let j = 0; j < vlen; j++) {
      const mType = r.u32(id, 12 * j + 4);
      const raw = r.u32(id, 12 * j + 8);
      const fname = r.u32(id, 12 * j); // a string offset: written straight from the string section
      let mSize = kf ? raw >>> 24 : 0;
      const mOff = kf ? raw & 0xffffff : raw;
      const mAlign = packed ? 1 : this.layout.alignOf(mType);
      const inBitfield = prevBitfield && mSize !== 0;
      this.emitBitPadding(off, mOff, mAlign, inBitfield, lvl + 1);
      this.o.nl(lvl + 1);
      this.emitTypeDecl(mType, fname, lvl + 1);
      if (mSize) {
        this.o.s(': ');
        this.o.num(mSize);
        off = mOff + mSize;
        prevBitfield = true;
      } else {
        mSize = Math.max(0, this.layout.resolveSize(mType));
        off = mOff + mSize * 8;
        prevBitfield = false;
      }
      this.o.s(';');
    }
    if (isStruct) this.emitBitPadding(off, r.st[id]! * 8, align, false, lvl + 1);
    // `struct empty {}` stays on one line.
    this.o.s(vlen || r.st[id] ? `\n${pfx(lvl)}}` : '}');
    if (packed) this.o.s(' __attribute__((packed))');
  }

  // ---- enums, fwds, typedefs ----

  private emitMissingAliases(id: number): void {
    // GCC's internal Arm SIMD base types, aliased to standard ones.
    this.names.typeName(id); // registers the name, as libbpf does, so a struct of the same name gets ___2
    const name = this.names.name(id);
    const alias = name.startsWith('__Poly') ? MISSING_BASE_TYPES.get(name) : undefined;
    if (alias) this.o.s(`typedef ${alias} ${name};\n\n`);
  }

  private emitEnumDef(id: number, lvl: number): void {
    const r = this.r;
    const vlen = r.vlen[id]!;
    const ename = this.names.typeName(id);
    this.o.s(r.nameOff[id] ? 'enum ' : 'enum');
    this.writeName(ename);
    if (!vlen) return;
    this.o.s(' {');
    const signed = r.kflag[id] === 1;
    let anyHi = false;
    for (let j = 0; j < vlen; j++) {
      let name: number;
      let val: string | number;
      if (r.kind[id] === ENUM) {
        name = r.u32(id, 8 * j);
        val = signed ? r.i32(id, 8 * j + 4) : r.u32(id, 8 * j + 4);
      } else {
        name = r.u32(id, 12 * j);
        const lo = r.u32(id, 12 * j + 4);
        const hi = r.u32(id, 12 * j + 8);
        if (hi !== 0) anyHi = true;
        const u = (BigInt(hi) << 32n) | BigInt(lo);
        val = signed ? `${BigInt.asIntN(64, u)}LL` : `${u}ULL`;
      }
      // Enumerators share the identifier namespace with typedefs.
      const dups = this.names.identNames.bump(name);
      this.o.nl(lvl + 1);
      this.writeName(name);
      if (dups > 1) this.o.s(`___${dups}`);
      this.o.s(' = ');
      if (typeof val === 'number') this.o.num(val);
      else this.o.s(val);
      this.o.s(',');
    }
    this.o.s(`\n${pfx(lvl)}}`);
    const size = r.st[id]!;
    if (!this.enumModes) return;
    if (size === 1) this.o.s(' __attribute__((mode(byte)))');
    else if (size === 8 && PTR_SIZE === 8) {
      // An 8-byte enum comes naturally only from a value with non-zero upper 32 bits.
      if (r.kind[id] === ENUM || !anyHi) this.o.s(' __attribute__((mode(word)))');
    }
  }

  private emitFwdDef(id: number): void {
    const name = this.names.typeName(id);
    this.o.s(this.r.kflag[id] ? 'union ' : 'struct ');
    this.writeName(name);
  }

  private emitTypedefDef(id: number, lvl: number): void {
    const name = this.names.identName(id);
    // Old GCC emits __gnuc_va_list as a typedef of void.
    if (this.r.st[id] === 0 && this.names.name(id) === '__gnuc_va_list') {
      this.o.s('typedef __builtin_va_list __gnuc_va_list');
      return;
    }
    this.o.s('typedef ');
    this.emitTypeDecl(this.r.st[id]!, name, lvl);
  }

  // ---- declarations: a type chain rendered in C declarator syntax ----

  // The declaration stack is shared by nested declarations (a function pointer's parameters inside a
  // member): each frame is the part above the `start` it was given, as in libbpf's id_stack views.
  private readonly stk: number[] = [];

  private emitTypeDecl(id: number, fname: Fname, lvl: number): void {
    const r = this.r;
    const stk = this.stk;
    const start = stk.length;
    for (let guard = 0; ; guard++) {
      if (guard > this.n) throw new XdpMetaError(`${this.r.btf.source}: type [${id}]: declaration chain loops`);
      stk.push(id);
      if (id === 0) break;
      const k = r.kind[id];
      if (k === PTR || k === VOLATILE || k === CONST || k === RESTRICT || k === FUNC_PROTO || k === TYPE_TAG) id = r.st[id]!;
      else if (k === ARRAY) id = r.u32(id, 0);
      else break; // INT ENUM ENUM64 FWD STRUCT UNION TYPEDEF FLOAT (others: unexpected, stop)
    }
    this.emitTypeChain(start, fname, lvl);
    stk.length = start;
  }

  private emitMods(start: number): void {
    const stk = this.stk;
    while (stk.length > start) {
      const k = this.r.kind[stk[stk.length - 1]!];
      if (k === VOLATILE) this.o.s('volatile ');
      else if (k === CONST) this.o.s('const ');
      else if (k === RESTRICT) this.o.s('restrict ');
      else return;
      stk.pop();
    }
  }

  private dropMods(start: number): void {
    const stk = this.stk;
    while (stk.length > start) {
      const k = this.r.kind[stk[stk.length - 1]!];
      if (k !== VOLATILE && k !== CONST && k !== RESTRICT && k !== TYPE_TAG) return;
      stk.pop();
    }
  }

  private isEmpty(name: Fname): boolean {
    if (typeof name === 'string') return name === '';
    const src = this.r.strArr(name);
    return src[this.r.pos] === 0;
  }

  private writeName(name: Fname): void {
    if (typeof name === 'string') this.o.s(name);
    else this.o.cstr(this.r.strArr(name), this.r.pos);
  }

  private emitName(name: Fname, lastWasPtr: boolean): void {
    if (this.isEmpty(name)) return;
    if (!lastWasPtr) this.o.s(' ');
    this.writeName(name);
  }

  private emitTypeChain(start: number, fname: Fname, lvl: number): void {
    const stk = this.stk;
    const r = this.r;
    let lastWasPtr = true; // so a lone pointer in a function-pointer chain prints as (*name)
    while (stk.length > start) {
      const id = stk.pop()!;
      if (id === 0) {
        this.emitMods(start);
        this.o.s('void');
        lastWasPtr = false;
        continue;
      }
      const kind = r.kind[id]!;
      switch (kind) {
        case INT: case FLOAT:
          this.emitMods(start);
          this.o.cstr(r.strArr(r.nameOff[id]!), r.pos);
          break;
        case STRUCT: case UNION:
          this.emitMods(start);
          if (r.nameOff[id] === 0) this.emitStructDef(id, lvl); // anonymous: defined inline
          else this.emitStructFwd(id);
          break;
        case ENUM: case ENUM64:
          this.emitMods(start);
          if (r.nameOff[id] === 0) this.emitEnumDef(id, lvl);
          else { const n = this.names.typeName(id); this.o.s('enum '); this.writeName(n); }
          break;
        case FWD:
          this.emitMods(start);
          this.emitFwdDef(id);
          break;
        case TYPEDEF:
          this.emitMods(start);
          this.writeName(this.names.identName(id));
          break;
        case PTR: this.o.s(lastWasPtr ? '*' : ' *'); break;
        case VOLATILE: this.o.s(' volatile'); break;
        case CONST: this.o.s(' const'); break;
        case RESTRICT: this.o.s(' restrict'); break;
        case TYPE_TAG:
          this.emitMods(start);
          this.o.s(` __attribute__((btf_type_tag("${this.names.name(id)}")))`);
          break;
        case ARRAY: {
          const nelems = r.u32(id, 8);
          // Qualifiers on an array itself (a GCC quirk) carry no meaning: dropped.
          this.dropMods(start);
          if (stk.length === start) {
            this.emitName(fname, lastWasPtr);
            this.o.s('[');
            this.o.num(nelems);
            this.o.s(']');
            return;
          }
          const multidim = r.kind[stk[stk.length - 1]!] === ARRAY;
          if (!this.isEmpty(fname) && !lastWasPtr) this.o.s(' ');
          if (!multidim) this.o.s('(');
          this.emitTypeChain(start, fname, lvl);
          if (!multidim) this.o.s(')');
          this.o.s('[');
          this.o.num(nelems);
          this.o.s(']');
          return;
        }
        case FUNC_PROTO: {
          const vlen = r.vlen[id]!;
          this.dropMods(start);
          if (stk.length > start) {
            this.o.s(' (');
            this.emitTypeChain(start, fname, lvl);
            this.o.s(')');
          } else {
            this.emitName(fname, lastWasPtr);
          }
          this.o.s('(');
          // No parameters (or clang's single void parameter) is spelled `(void)`: `()` is not a prototype.
          if (vlen === 0 || (vlen === 1 && r.u32(id, 4) === 0)) {
            this.o.s('void)');
            return;
          }
          for (let j = 0; j < vlen; j++) {
            if (j > 0) this.o.s(', ');
            const pt = r.u32(id, 8 * j + 4);
            if (j === vlen - 1 && pt === 0) {
              this.o.s('...');
              break;
            }
            this.emitTypeDecl(pt, r.u32(id, 8 * j), lvl);
          }
          this.o.s(')');
          return;
        }
        default:
          return; // unexpected kind in a declaration chain: libbpf warns and stops
      }
      lastWasPtr = kind === PTR;
    }
    this.emitName(fname, lastWasPtr);
  }
}
