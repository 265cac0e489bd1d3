// BTF encoder: build a type graph by hand (tests, synthetic targets) and get real wire bytes or a loaded Btf.
import { parseBtf } from './load';
import { BTF_KIND, BTF_INT_BOOL, BTF_INT_CHAR, BTF_INT_SIGNED, BTF_LINKAGE_NAMES } from './types';
import type { Btf, BtfKind, BtfLinkage, ByteOrder } from './types';

export interface BuilderMember { name?: string; typeId: number; bitOffset: number; bitfieldSize?: number }
export interface BuilderParam { name?: string; typeId: number }
export interface BuilderSecinfo { typeId: number; offset: number; size: number }

/**
 * Ids are handed out in call order starting at 1 (or base.count for split BTF); each method returns
 * the new id. Forward references are plain numbers: use `nextId` to refer to a type added later.
 */
export class BtfBuilder {
  private readonly words: number[] = []; // every u32 of the type section, in order
  private readonly strs: string[] = [''];
  private readonly strOff = new Map<string, number>([['', 0]]);
  private strLen = 1;
  private n = 0;
  private readonly startId: number;
  private readonly strBase: number;

  constructor(private readonly opts: { byteOrder?: ByteOrder; base?: Btf } = {}) {
    this.startId = opts.base ? opts.base.count : 1;
    this.strBase = opts.base ? opts.base.stringsSize : 0;
    if (opts.base) { this.strs.length = 0; this.strOff.clear(); this.strLen = 0; }
  }

  /** Id the next added type will get. */
  get nextId(): number { return this.startId + this.n; }

  /** Offset of `s` in the string section (added once). */
  str(s: string): number {
    if (s === '' && this.opts.base) return 0;
    let off = this.strOff.get(s);
    if (off === undefined) {
      off = this.strBase + this.strLen;
      this.strOff.set(s, off);
      this.strs.push(s);
      this.strLen += Buffer.byteLength(s) + 1;
    }
    return off;
  }

  private add(kind: BtfKind, name: string, vlen: number, kindFlag: boolean, sizeOrType: number, extra: number[]): number {
    const info = ((kindFlag ? 1 : 0) << 31 | BTF_KIND[kind] << 24 | (vlen & 0xffff)) >>> 0;
    this.words.push(this.str(name), info, sizeOrType >>> 0, ...extra.map((x) => x >>> 0));
    return this.startId + this.n++;
  }

  int(name: string, size: number, o: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; bitOffset?: number } = {}): number {
    const enc = (o.signed ? BTF_INT_SIGNED : 0) | (o.char ? BTF_INT_CHAR : 0) | (o.bool ? BTF_INT_BOOL : 0);
    return this.add('INT', name, 0, false, size, [(enc << 24) | ((o.bitOffset ?? 0) << 16) | (o.bits ?? size * 8)]);
  }
  ptr(typeId: number): number { return this.add('PTR', '', 0, false, typeId, []); }
  typedef(name: string, typeId: number): number { return this.add('TYPEDEF', name, 0, false, typeId, []); }
  volatile(typeId: number): number { return this.add('VOLATILE', '', 0, false, typeId, []); }
  const(typeId: number): number { return this.add('CONST', '', 0, false, typeId, []); }
  restrict(typeId: number): number { return this.add('RESTRICT', '', 0, false, typeId, []); }
  typeTag(name: string, typeId: number): number { return this.add('TYPE_TAG', name, 0, false, typeId, []); }
  array(elemTypeId: number, indexTypeId: number, nelems: number): number {
    return this.add('ARRAY', '', 0, false, 0, [elemTypeId, indexTypeId, nelems]);
  }
  struct(name: string, size: number, members: BuilderMember[]): number { return this.composite('STRUCT', name, size, members); }
  union(name: string, size: number, members: BuilderMember[]): number { return this.composite('UNION', name, size, members); }
  private composite(kind: 'STRUCT' | 'UNION', name: string, size: number, members: BuilderMember[]): number {
    const kf = members.some((m) => (m.bitfieldSize ?? 0) > 0);
    const extra = members.flatMap((m) => [this.str(m.name ?? ''), m.typeId,
      kf ? ((m.bitfieldSize ?? 0) << 24) | m.bitOffset : m.bitOffset]);
    return this.add(kind, name, members.length, kf, size, extra);
  }
  enum(name: string, size: number, values: { name: string; value: number }[], signed = values.some((v) => v.value < 0)): number {
    return this.add('ENUM', name, values.length, signed, size, values.flatMap((v) => [this.str(v.name), v.value | 0]));
  }
  enum64(name: string, size: number, values: { name: string; value: bigint }[], signed = values.some((v) => v.value < 0n)): number {
    return this.add('ENUM64', name, values.length, signed, size, values.flatMap((v) => {
      const u = BigInt.asUintN(64, v.value);
      return [this.str(v.name), Number(u & 0xffffffffn), Number(u >> 32n)];
    }));
  }
  fwd(name: string, fwdKind: 'struct' | 'union' = 'struct'): number { return this.add('FWD', name, 0, fwdKind === 'union', 0, []); }
  func(name: string, protoId: number, linkage: BtfLinkage = 'global'): number {
    return this.add('FUNC', name, BTF_LINKAGE_NAMES.indexOf(linkage), false, protoId, []);
  }
  funcProto(returnTypeId: number, params: BuilderParam[]): number {
    return this.add('FUNC_PROTO', '', params.length, false, returnTypeId, params.flatMap((p) => [this.str(p.name ?? ''), p.typeId]));
  }
  var(name: string, typeId: number, linkage: BtfLinkage = 'global'): number {
    return this.add('VAR', name, 0, false, typeId, [BTF_LINKAGE_NAMES.indexOf(linkage)]);
  }
  datasec(name: string, size: number, vars: BuilderSecinfo[]): number {
    return this.add('DATASEC', name, vars.length, false, size, vars.flatMap((v) => [v.typeId, v.offset, v.size]));
  }
  float(name: string, size: number): number { return this.add('FLOAT', name, 0, false, size, []); }
  declTag(name: string, typeId: number, componentIdx = -1): number {
    return this.add('DECL_TAG', name, 0, false, typeId, [componentIdx]);
  }

  /** Raw BTF bytes: header, type section, string section. */
  encode(): Uint8Array {
    const le = (this.opts.byteOrder ?? 'little') === 'little';
    const typeLen = this.words.length * 4;
    const strBytes = Buffer.from(this.strs.map((s) => s + '\0').join(''), 'utf8');
    const out = new Uint8Array(24 + typeLen + strBytes.length);
    const v = new DataView(out.buffer);
    v.setUint16(0, 0xeb9f, le);
    out[2] = 1;
    out[3] = 0;
    v.setUint32(4, 24, le);
    v.setUint32(8, 0, le);
    v.setUint32(12, typeLen, le);
    v.setUint32(16, typeLen, le);
    v.setUint32(20, strBytes.length, le);
    this.words.forEach((w, i) => v.setUint32(24 + 4 * i, w, le));
    out.set(strBytes, 24 + typeLen);
    return out;
  }

  /** Encodes and loads the result (over `base` when given). */
  build(source = 'built BTF'): Btf {
    return parseBtf(this.encode(), source, { base: this.opts.base });
  }
}
