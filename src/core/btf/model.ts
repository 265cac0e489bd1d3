// The linked BTF model over validated wire records: types decoded on demand and cached, a lazy name index (name-index.ts).
import { FormatError, XdpMetaError } from '../util/errors';
import { BTF_KIND, BTF_KIND_NAMES, BTF_LINKAGE_NAMES, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED } from './types';
import type {
  Btf, BtfKind, BtfLinkage, BtfMember, BtfOfKind, BtfParam, BtfType, BtfVarSecinfo, ByteOrder, BtfEnumValue,
} from './types';
import { BtfNameIndex } from './name-index';
import type { BtfWire } from './wire';

const MAX_RESOLVE_DEPTH = 32; // libbpf's MAX_RESOLVE_DEPTH
const PTR_SIZE = 8; // BPF pointers are 64-bit

/** Node's Buffer has native, allocation-free `utf8Slice` (not in its public typings). */
type NodeBuffer = Buffer & { utf8Slice(start: number, end: number): string };

// ---- type objects: plain fields plus getters that link ids to types on demand ----

// Fields are assigned in constructors (no class-field initializers): define-semantics fields cost a
// defineProperty per instance, which dominates decodeAll() over vmlinux.

class TypeBase {
  declare readonly btf: BtfModel;
  declare readonly id: number;
  declare readonly kind: BtfKind;
  declare readonly name: string;
  declare readonly kindFlag: boolean;
  constructor(btf: BtfModel, id: number, kind: BtfKind, name: string, kindFlag: boolean) {
    this.btf = btf; this.id = id; this.kind = kind; this.name = name; this.kindFlag = kindFlag;
  }
}

class IntT extends TypeBase {
  declare readonly size: number;
  declare readonly encoding: number;
  declare readonly bitOffset: number;
  declare readonly bits: number;
  constructor(btf: BtfModel, id: number, name: string, kf: boolean, size: number, encoding: number, bitOffset: number, bits: number) {
    super(btf, id, 'INT', name, kf);
    this.size = size; this.encoding = encoding; this.bitOffset = bitOffset; this.bits = bits;
  }
  get signed(): boolean { return (this.encoding & BTF_INT_SIGNED) !== 0; }
  get char(): boolean { return (this.encoding & BTF_INT_CHAR) !== 0; }
  get bool(): boolean { return (this.encoding & BTF_INT_BOOL) !== 0; }
}

/** PTR, TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG, FUNC, VAR, DECL_TAG: one type reference (+ one extra field). */
class RefT extends TypeBase {
  declare readonly typeId: number;
  declare readonly linkage: BtfLinkage | undefined;
  declare readonly componentIdx: number | undefined;
  constructor(btf: BtfModel, id: number, kind: BtfKind, name: string, kf: boolean, typeId: number, linkage?: BtfLinkage, componentIdx?: number) {
    super(btf, id, kind, name, kf);
    this.typeId = typeId;
    if (linkage !== undefined) this.linkage = linkage;
    if (componentIdx !== undefined) this.componentIdx = componentIdx;
  }
  get type(): BtfType { return this.btf.typeById(this.typeId); }
}

class ArrayT extends TypeBase {
  declare readonly elemTypeId: number;
  declare readonly indexTypeId: number;
  declare readonly nelems: number;
  constructor(btf: BtfModel, id: number, name: string, kf: boolean, elemTypeId: number, indexTypeId: number, nelems: number) {
    super(btf, id, 'ARRAY', name, kf);
    this.elemTypeId = elemTypeId; this.indexTypeId = indexTypeId; this.nelems = nelems;
  }
  get elemType(): BtfType { return this.btf.typeById(this.elemTypeId); }
  get indexType(): BtfType { return this.btf.typeById(this.indexTypeId); }
}

/** Struct members, function parameters and datasec entries share one shape: a name/type pair plus offsets. */
/**
 * Member, parameter and enumerator names are read from the string section on access (offsets are
 * checked when the type is decoded): vmlinux has ~300k of them, and making them all up front
 * doubled decodeAll()'s allocations.
 */
class MemberT {
  declare private readonly btf: BtfModel;
  declare private readonly nameOff: number;
  declare readonly typeId: number;
  declare readonly bitOffset: number;
  declare readonly bitfieldSize: number;
  constructor(btf: BtfModel, nameOff: number, typeId: number, bitOffset: number, bitfieldSize: number) {
    this.btf = btf; this.nameOff = nameOff; this.typeId = typeId; this.bitOffset = bitOffset; this.bitfieldSize = bitfieldSize;
  }
  get name(): string { return this.btf.stringAt(this.nameOff); }
  get type(): BtfType { return this.btf.typeById(this.typeId); }
}

class ParamT {
  declare private readonly btf: BtfModel;
  declare private readonly nameOff: number;
  declare readonly typeId: number;
  constructor(btf: BtfModel, nameOff: number, typeId: number) { this.btf = btf; this.nameOff = nameOff; this.typeId = typeId; }
  get name(): string { return this.btf.stringAt(this.nameOff); }
  get type(): BtfType { return this.btf.typeById(this.typeId); }
}

class EnumValueT<V extends number | bigint> {
  declare private readonly btf: BtfModel;
  declare private readonly nameOff: number;
  declare readonly value: V;
  constructor(btf: BtfModel, nameOff: number, value: V) { this.btf = btf; this.nameOff = nameOff; this.value = value; }
  get name(): string { return this.btf.stringAt(this.nameOff); }
}

class SecinfoT {
  declare private readonly btf: BtfModel;
  declare readonly typeId: number;
  declare readonly offset: number;
  declare readonly size: number;
  constructor(btf: BtfModel, typeId: number, offset: number, size: number) {
    this.btf = btf; this.typeId = typeId; this.offset = offset; this.size = size;
  }
  get type(): BtfType { return this.btf.typeById(this.typeId); }
}

/** STRUCT/UNION (members), ENUM/ENUM64 (values), FUNC_PROTO (params), DATASEC (vars), FLOAT, FWD. */
class SizedT extends TypeBase {
  declare readonly size: number;
  constructor(btf: BtfModel, id: number, kind: BtfKind, name: string, kf: boolean, size: number) {
    super(btf, id, kind, name, kf);
    this.size = size;
  }
}

class CompositeT extends SizedT {
  declare readonly members: readonly BtfMember[];
  constructor(btf: BtfModel, id: number, kind: BtfKind, name: string, kf: boolean, size: number, members: readonly BtfMember[]) {
    super(btf, id, kind, name, kf, size);
    this.members = members;
  }
}

class EnumT extends SizedT {
  declare readonly values: readonly BtfEnumValue<number | bigint>[];
  constructor(btf: BtfModel, id: number, kind: BtfKind, name: string, kf: boolean, size: number, values: readonly BtfEnumValue<number | bigint>[]) {
    super(btf, id, kind, name, kf, size);
    this.values = values;
  }
  get signed(): boolean { return this.kindFlag; }
}

class FwdT extends TypeBase {
  get fwdKind(): 'struct' | 'union' { return this.kindFlag ? 'union' : 'struct'; }
}

class FuncProtoT extends TypeBase {
  declare readonly returnTypeId: number;
  declare readonly params: readonly BtfParam[];
  constructor(btf: BtfModel, id: number, name: string, kf: boolean, returnTypeId: number, params: readonly BtfParam[]) {
    super(btf, id, 'FUNC_PROTO', name, kf);
    this.returnTypeId = returnTypeId; this.params = params;
  }
  get returnType(): BtfType { return this.btf.typeById(this.returnTypeId); }
  get variadic(): boolean {
    const last = this.params[this.params.length - 1];
    return last !== undefined && last.typeId === 0 && last.name === '';
  }
}

class DatasecT extends SizedT {
  declare readonly vars: readonly BtfVarSecinfo[];
  constructor(btf: BtfModel, id: number, name: string, kf: boolean, size: number, vars: readonly BtfVarSecinfo[]) {
    super(btf, id, 'DATASEC', name, kf, size);
    this.vars = vars;
  }
}

// ---- the model ----

/** Kind filter for the name index: -1 for any; VOID (id 0 only, never a record) matches nothing. */
const kindNumber = (kind: BtfKind | undefined): number => (kind === undefined ? -1 : BTF_KIND[kind]);

export class BtfModel implements Btf {
  readonly source: string;
  readonly byteOrder: ByteOrder;
  readonly startId: number;
  readonly count: number;
  readonly stringsSize: number;
  private readonly cache: (BtfType | undefined)[];
  private readonly voidType: TypeBase;
  private readonly strBuf: NodeBuffer;
  private index: BtfNameIndex | undefined;

  constructor(readonly wire: BtfWire, readonly base?: BtfModel) {
    this.source = wire.source;
    this.byteOrder = wire.littleEndian ? 'little' : 'big';
    this.startId = wire.startId;
    this.count = wire.startId + wire.length;
    this.stringsSize = wire.stringsBase + wire.strings.length;
    this.cache = new Array(wire.length);
    this.strBuf = Buffer.from(wire.strings.buffer, wire.strings.byteOffset, wire.strings.byteLength) as NodeBuffer;
    this.voidType = new TypeBase(this, 0, 'VOID', '', false);
  }

  // -- strings --

  stringAt(offset: number): string {
    if (offset < this.wire.stringsBase) return this.base!.stringAt(offset);
    return this.readString(offset - this.wire.stringsBase);
  }

  private readString(local: number): string {
    const b = this.strBuf;
    if (!(local >= 0 && local < b.length)) {
      throw new FormatError(this.source, this.wire.stringsStart, `a string offset below ${this.stringsSize}, got ${local + this.wire.stringsBase}`);
    }
    // Native NUL search and UTF-8 slice: no per-character work or garbage in JS.
    return b.utf8Slice(local, b.indexOf(0, local)); // the section ends in NUL (checked by the wire parser)
  }

  // -- cheap per-id accessors --

  private checkId(id: number, what: string, at?: number): void {
    if (!(Number.isInteger(id) && id >= 0 && id < this.count)) {
      throw new FormatError(this.source, at ?? this.wire.typesStart, `${what}: a type id below ${this.count}, got ${id}`);
    }
  }

  kindOf(id: number): BtfKind {
    this.checkId(id, 'kindOf');
    if (id === 0) return 'VOID';
    if (id < this.startId) return this.base!.kindOf(id);
    return BTF_KIND_NAMES[(this.wire.words[this.wire.wordIdx[id - this.startId]! + 1]! >>> 24) & 0x1f]!;
  }

  nameOf(id: number): string {
    this.checkId(id, 'nameOf');
    if (id === 0) return '';
    if (id < this.startId) return this.base!.nameOf(id);
    return this.stringAt(this.wire.words[this.wire.wordIdx[id - this.startId]!]!);
  }

  typeById(id: number): BtfType {
    if (id === 0) return this.voidType as BtfType;
    this.checkId(id, 'typeById');
    if (id < this.startId) return this.base!.typeById(id);
    const i = id - this.startId;
    return this.cache[i] ?? (this.cache[i] = this.decode(id));
  }

  /** How many own types have been decoded so far (tests check that lookups stay lazy). */
  get decodedCount(): number {
    let n = 0;
    for (const t of this.cache) if (t) n++;
    return n;
  }

  decodeAll(): BtfType[] {
    const out: BtfType[] = new Array(this.wire.length);
    for (let i = 0; i < this.wire.length; i++) out[i] = this.typeById(this.startId + i);
    return out;
  }

  /** Checks a string offset found inside a record at type-section word `at` (so a lazy name cannot fail later). */
  private checkString(off: number, at: number): void {
    if (off >= this.stringsSize) throw new FormatError(this.source, this.wire.typesStart + 4 * at, `a string offset below ${this.stringsSize}, got ${off}`);
  }

  /** Checks a type reference found inside type `id`'s record at type-section word `at`. */
  private ref(t: number, id: number, at: number): number {
    if (t < this.count) return t;
    throw new FormatError(this.source, this.wire.typesStart + 4 * at, `type [${id}]: a referenced type id below ${this.count}, got ${t}`);
  }

  private decode(id: number): BtfType {
    const W = this.wire.words;
    const q = this.wire.wordIdx[id - this.startId]!;
    const name = this.stringAt(W[q]!);
    const info = W[q + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kf = (info >>> 31) === 1;
    const st = W[q + 2]!; // size or type
    const x = q + 3; // kind-specific data
    const kindName = BTF_KIND_NAMES[kind]!;
    let t: TypeBase;
    switch (kind) {
      case 1: { // INT
        const enc = W[x]!;
        t = new IntT(this, id, name, kf, st, (enc >>> 24) & 0x0f, (enc >>> 16) & 0xff, enc & 0xff);
        break;
      }
      case 2: case 8: case 9: case 10: case 11: case 18: // PTR TYPEDEF VOLATILE CONST RESTRICT TYPE_TAG
        t = new RefT(this, id, kindName, name, kf, this.ref(st, id, q + 2));
        break;
      case 3: // ARRAY
        t = new ArrayT(this, id, name, kf, this.ref(W[x]!, id, x), this.ref(W[x + 1]!, id, x + 1), W[x + 2]!);
        break;
      case 4: case 5: { // STRUCT UNION
        const members: BtfMember[] = new Array(vlen);
        for (let j = 0, m = x; j < vlen; j++, m += 3) {
          const off = W[m + 2]!;
          const nameOff = W[m]!;
          this.checkString(nameOff, m);
          members[j] = new MemberT(this, nameOff, this.ref(W[m + 1]!, id, m + 1),
            kf ? off & 0xffffff : off, kf ? off >>> 24 : 0);
        }
        t = new CompositeT(this, id, kindName, name, kf, st, members);
        break;
      }
      case 6: { // ENUM
        const values: BtfEnumValue<number>[] = new Array(vlen);
        for (let j = 0, e = x; j < vlen; j++, e += 2) {
          this.checkString(W[e]!, e);
          values[j] = new EnumValueT(this, W[e]!, kf ? W[e + 1]! | 0 : W[e + 1]!);
        }
        t = new EnumT(this, id, 'ENUM', name, kf, st, values);
        break;
      }
      case 19: { // ENUM64
        const values: BtfEnumValue<bigint>[] = new Array(vlen);
        for (let j = 0, e = x; j < vlen; j++, e += 3) {
          const u = (BigInt(W[e + 2]!) << 32n) | BigInt(W[e + 1]!);
          this.checkString(W[e]!, e);
          values[j] = new EnumValueT(this, W[e]!, kf ? BigInt.asIntN(64, u) : u);
        }
        t = new EnumT(this, id, 'ENUM64', name, kf, st, values);
        break;
      }
      case 7: t = new FwdT(this, id, 'FWD', name, kf); break;
      case 12: case 14: { // FUNC VAR
        const linkageRaw = kind === 12 ? vlen : W[x]!;
        const linkage = BTF_LINKAGE_NAMES[linkageRaw];
        if (!linkage) throw new FormatError(this.source, this.wire.typesStart + 4 * (kind === 12 ? q + 1 : x), `type [${id}] ${kindName}: linkage 0..2, got ${linkageRaw}`);
        t = new RefT(this, id, kindName, name, kf, this.ref(st, id, q + 2), linkage);
        break;
      }
      case 13: { // FUNC_PROTO
        const params: BtfParam[] = new Array(vlen);
        for (let j = 0, e = x; j < vlen; j++, e += 2) {
          this.checkString(W[e]!, e);
          params[j] = new ParamT(this, W[e]!, this.ref(W[e + 1]!, id, e + 1));
        }
        t = new FuncProtoT(this, id, name, kf, this.ref(st, id, q + 2), params);
        break;
      }
      case 15: { // DATASEC
        const vars: BtfVarSecinfo[] = new Array(vlen);
        for (let j = 0, e = x; j < vlen; j++, e += 3) {
          vars[j] = new SecinfoT(this, this.ref(W[e]!, id, e), W[e + 1]!, W[e + 2]!);
        }
        t = new DatasecT(this, id, name, kf, st, vars);
        break;
      }
      case 16: t = new SizedT(this, id, 'FLOAT', name, kf, st); break;
      case 17: t = new RefT(this, id, 'DECL_TAG', name, kf, this.ref(st, id, q + 2), undefined, W[x]! | 0); break;
      default: throw new FormatError(this.source, this.wire.typesStart + 4 * (q + 1), `a BTF kind between 1 and 19, got ${kind}`);
    }
    return t as unknown as BtfType;
  }

  // -- name index: built on the first lookup from the wire records, decoding no type and no name --

  private nameIndex(): BtfNameIndex {
    if (this.index) return this.index;
    const bases: BtfWire[] = [];
    for (let b = this.base; b; b = b.base) bases.push(b.wire);
    return (this.index = new BtfNameIndex(this.wire, bases));
  }

  /** This layer's name index as one array (building it all), for a cache keyed by the BTF file's identity. */
  serializeNameIndex(): Int32Array {
    return this.nameIndex().serialize();
  }

  /** Adopts a name index serializeNameIndex() made from the very same BTF; false when it does not fit. */
  restoreNameIndex(a: Int32Array): boolean {
    return this.nameIndex().restore(a);
  }

  findIdsByName(name: string, kind?: BtfKind): number[] {
    const fromBase = this.base ? this.base.findIdsByName(name, kind) : [];
    if (this.wire.length === 0) return fromBase;
    return fromBase.concat(this.nameIndex().idsByName(name, kindNumber(kind)));
  }

  findIdsByEssentialName(essential: string, kind?: BtfKind): number[] {
    const fromBase = this.base ? this.base.findIdsByEssentialName(essential, kind) : [];
    if (this.wire.length === 0) return fromBase;
    return fromBase.concat(this.nameIndex().idsByEssentialName(essential, kindNumber(kind)));
  }

  findByName<K extends BtfKind>(name: string, kind: K): BtfOfKind<K> | undefined;
  findByName(name: string, kind?: BtfKind): BtfType | undefined;
  findByName(name: string, kind?: BtfKind): BtfType | undefined {
    const b = this.base?.findByName(name, kind);
    if (b) return b;
    if (this.wire.length === 0) return undefined;
    const [id] = this.nameIndex().idsByName(name, kindNumber(kind), true);
    return id === undefined ? undefined : this.typeById(id);
  }

  // -- type arithmetic (libbpf semantics) --

  skipModifiers(t: BtfType): BtfType {
    for (let depth = 0; ; depth++) {
      if (t.kind !== 'CONST' && t.kind !== 'VOLATILE' && t.kind !== 'RESTRICT' && t.kind !== 'TYPE_TAG') return t;
      if (depth > this.count) throw this.loopError(t);
      t = t.type;
    }
  }

  resolveTypedefs(t: BtfType): BtfType {
    for (let depth = 0; ; depth++) {
      if (t.kind !== 'CONST' && t.kind !== 'VOLATILE' && t.kind !== 'RESTRICT' && t.kind !== 'TYPE_TAG' && t.kind !== 'TYPEDEF') return t;
      if (depth > this.count) throw this.loopError(t);
      t = t.type;
    }
  }

  private loopError(t: BtfType): XdpMetaError {
    return new FormatError(this.source, this.wire.typesStart, `type [${t.id}] ${t.kind}: a type chain that ends (found a loop)`);
  }

  sizeof(input: BtfType | number): number {
    let t = typeof input === 'number' ? this.typeById(input) : input;
    let nelems = 1;
    for (let depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
      let size: number | undefined;
      switch (t.kind) {
        case 'INT': case 'STRUCT': case 'UNION': case 'ENUM': case 'ENUM64': case 'DATASEC': case 'FLOAT':
          size = t.size; break;
        case 'PTR': size = PTR_SIZE; break;
        case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'VAR': case 'DECL_TAG': case 'TYPE_TAG':
          t = t.type; continue;
        case 'ARRAY':
          if (t.nelems && nelems > 0xffffffff / t.nelems) throw new XdpMetaError(`${this.source}: type [${t.id}] ARRAY: size overflows 32 bits`);
          nelems *= t.nelems; t = t.elemType; continue;
        default:
          throw new XdpMetaError(`${this.source}: type [${t.id}] ${t.kind} has no size`);
      }
      if (nelems * size > 0xffffffff) throw new XdpMetaError(`${this.source}: type [${t.id}] size overflows 32 bits`);
      return nelems * size;
    }
    throw new XdpMetaError(`${this.source}: type [${typeof input === 'number' ? input : input.id}]: type chain deeper than ${MAX_RESOLVE_DEPTH}`);
  }

  private readonly alignCache = new Map<number, number>();

  alignof(input: BtfType | number, depth = 0): number {
    const t = typeof input === 'number' ? this.typeById(input) : input;
    // Memoized: a struct's alignment depends only on its id, and without a memo a crafted BTF of
    // wide, deep struct nesting would take exponential time.
    const hit = this.alignCache.get(t.id);
    if (hit !== undefined) return hit;
    const a = this.computeAlign(t, depth);
    this.alignCache.set(t.id, a);
    return a;
  }

  private computeAlign(t: BtfType, depth: number): number {
    if (depth > MAX_RESOLVE_DEPTH) throw new XdpMetaError(`${this.source}: type [${t.id}]: type chain deeper than ${MAX_RESOLVE_DEPTH}`);
    switch (t.kind) {
      case 'INT': case 'ENUM': case 'ENUM64': case 'FLOAT': return Math.min(PTR_SIZE, t.size);
      case 'PTR': return PTR_SIZE;
      case 'TYPEDEF': case 'VOLATILE': case 'CONST': case 'RESTRICT': case 'TYPE_TAG': return this.alignof(t.typeId, depth + 1);
      case 'ARRAY': return this.alignof(t.elemTypeId, depth + 1);
      case 'STRUCT': case 'UNION': {
        let max = 1;
        for (const m of t.members) {
          const a = this.alignof(m.typeId, depth + 1);
          max = Math.max(max, a);
          // A member placed off its natural alignment means the record is packed.
          if (m.bitfieldSize === 0 && m.bitOffset % (8 * a) !== 0) return 1;
        }
        return t.size % max !== 0 ? 1 : max;
      }
      default: throw new XdpMetaError(`${this.source}: type [${t.id}] ${t.kind} has no alignment`);
    }
  }
}
