// The linked, navigable BTF type model (every kind up to ENUM64) and the `Btf` interface over it.
//
// Types are plain read-only objects discriminated by `kind` (the kernel's BTF_KIND_* name without
// the prefix). References to other types are kept as ids (`typeId`, `elemTypeId`, ...) and are also
// reachable as linked objects through getters (`type`, `elemType`, ...) that resolve on demand, so a
// type graph is navigable without decoding the whole BTF up front.

/** Kind names as the kernel spells them (BTF_KIND_<name>); 'VOID' is type id 0. */
export type BtfKind =
  | 'VOID' | 'INT' | 'PTR' | 'ARRAY' | 'STRUCT' | 'UNION' | 'ENUM' | 'FWD' | 'TYPEDEF'
  | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'FUNC' | 'FUNC_PROTO' | 'VAR' | 'DATASEC' | 'FLOAT'
  | 'DECL_TAG' | 'TYPE_TAG' | 'ENUM64';

/** BTF_KIND_* wire numbers (include/uapi/linux/btf.h). Index = wire number. */
export const BTF_KIND_NAMES: readonly BtfKind[] = [
  'VOID', 'INT', 'PTR', 'ARRAY', 'STRUCT', 'UNION', 'ENUM', 'FWD', 'TYPEDEF', 'VOLATILE', 'CONST',
  'RESTRICT', 'FUNC', 'FUNC_PROTO', 'VAR', 'DATASEC', 'FLOAT', 'DECL_TAG', 'TYPE_TAG', 'ENUM64',
];

export const BTF_KIND = {
  VOID: 0, INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, UNION: 5, ENUM: 6, FWD: 7, TYPEDEF: 8, VOLATILE: 9,
  CONST: 10, RESTRICT: 11, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15, FLOAT: 16, DECL_TAG: 17,
  TYPE_TAG: 18, ENUM64: 19,
} as const satisfies Record<BtfKind, number>;

/** BTF_INT_ENCODING bits. */
export const BTF_INT_SIGNED = 1 << 0;
export const BTF_INT_CHAR = 1 << 1;
export const BTF_INT_BOOL = 1 << 2;

/** FUNC linkage (btf_func_linkage) and VAR linkage (btf_var_linkage share 0..2 the same way). */
export type BtfLinkage = 'static' | 'global' | 'extern';
export const BTF_LINKAGE_NAMES: readonly BtfLinkage[] = ['static', 'global', 'extern'];

interface BtfTypeCommon {
  /** Type id: 0 is void; in split BTF ids continue after the base's last id. */
  readonly id: number;
  /** '' for anonymous types. */
  readonly name: string;
  /** The `kind_flag` bit of `info` (bitfield encoding for STRUCT/UNION, union-ness for FWD, signedness for ENUM/ENUM64, type-tag attribute flag for DECL_TAG/TYPE_TAG). */
  readonly kindFlag: boolean;
  /** The BTF this type belongs to (for split BTF: the split part or the base). */
  readonly btf: Btf;
}

export interface BtfVoid extends BtfTypeCommon { readonly kind: 'VOID' }

export interface BtfInt extends BtfTypeCommon {
  readonly kind: 'INT';
  /** Size in bytes. */
  readonly size: number;
  /** Raw BTF_INT_ENCODING bits (BTF_INT_SIGNED | BTF_INT_CHAR | BTF_INT_BOOL). */
  readonly encoding: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
  /** BTF_INT_OFFSET: bit offset of the value (0 in everything clang emits). */
  readonly bitOffset: number;
  /** BTF_INT_BITS: number of value bits. */
  readonly bits: number;
}

/** Kinds that are one reference to another type. */
export interface BtfRefType<K extends 'PTR' | 'TYPEDEF' | 'VOLATILE' | 'CONST' | 'RESTRICT' | 'TYPE_TAG'>
  extends BtfTypeCommon {
  readonly kind: K;
  readonly typeId: number;
  readonly type: BtfType;
}
export type BtfPtr = BtfRefType<'PTR'>;
export type BtfTypedef = BtfRefType<'TYPEDEF'>;
export type BtfVolatile = BtfRefType<'VOLATILE'>;
export type BtfConst = BtfRefType<'CONST'>;
export type BtfRestrict = BtfRefType<'RESTRICT'>;
export type BtfTypeTag = BtfRefType<'TYPE_TAG'>;

export interface BtfArray extends BtfTypeCommon {
  readonly kind: 'ARRAY';
  readonly elemTypeId: number;
  readonly elemType: BtfType;
  readonly indexTypeId: number;
  readonly indexType: BtfType;
  readonly nelems: number;
}

export interface BtfMember {
  /** '' for an anonymous member (embedded anonymous struct/union). */
  readonly name: string;
  readonly typeId: number;
  readonly type: BtfType;
  /** Offset from the start of the struct in bits (already decoded from the kind_flag encoding). */
  readonly bitOffset: number;
  /** Bitfield width in bits; 0 when the member is not a bitfield. */
  readonly bitfieldSize: number;
}

export interface BtfComposite<K extends 'STRUCT' | 'UNION'> extends BtfTypeCommon {
  readonly kind: K;
  readonly size: number;
  readonly members: readonly BtfMember[];
}
export type BtfStruct = BtfComposite<'STRUCT'>;
export type BtfUnion = BtfComposite<'UNION'>;

export interface BtfEnumValue<V extends number | bigint> {
  readonly name: string;
  readonly value: V;
}

export interface BtfEnum extends BtfTypeCommon {
  readonly kind: 'ENUM';
  /** 1, 2, 4 or 8 bytes. */
  readonly size: number;
  /** kind_flag: values are signed. Values are decoded accordingly (negative when signed). */
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue<number>[];
}

export interface BtfEnum64 extends BtfTypeCommon {
  readonly kind: 'ENUM64';
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly BtfEnumValue<bigint>[];
}

export interface BtfFwd extends BtfTypeCommon {
  readonly kind: 'FWD';
  /** kind_flag 0: struct, 1: union. */
  readonly fwdKind: 'struct' | 'union';
}

export interface BtfFunc extends BtfTypeCommon {
  readonly kind: 'FUNC';
  /** The FUNC_PROTO id. */
  readonly typeId: number;
  readonly type: BtfType;
  readonly linkage: BtfLinkage;
}

export interface BtfParam {
  readonly name: string;
  /** 0 with name '' as the last parameter means `...`. */
  readonly typeId: number;
  readonly type: BtfType;
}

export interface BtfFuncProto extends BtfTypeCommon {
  readonly kind: 'FUNC_PROTO';
  readonly returnTypeId: number;
  readonly returnType: BtfType;
  /** Raw parameters, including the trailing {name:'', typeId:0} of a variadic function. */
  readonly params: readonly BtfParam[];
  readonly variadic: boolean;
}

export interface BtfVar extends BtfTypeCommon {
  readonly kind: 'VAR';
  readonly typeId: number;
  readonly type: BtfType;
  readonly linkage: BtfLinkage;
}

export interface BtfVarSecinfo {
  readonly typeId: number;
  readonly type: BtfType;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends BtfTypeCommon {
  readonly kind: 'DATASEC';
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends BtfTypeCommon {
  readonly kind: 'FLOAT';
  readonly size: number;
}

export interface BtfDeclTag extends BtfTypeCommon {
  readonly kind: 'DECL_TAG';
  readonly typeId: number;
  readonly type: BtfType;
  /** -1: the tag applies to the type itself; otherwise the member/parameter index. */
  readonly componentIdx: number;
}

export type BtfType =
  | BtfVoid | BtfInt | BtfPtr | BtfArray | BtfStruct | BtfUnion | BtfEnum | BtfFwd | BtfTypedef
  | BtfVolatile | BtfConst | BtfRestrict | BtfFunc | BtfFuncProto | BtfVar | BtfDatasec | BtfFloat
  | BtfDeclTag | BtfTypeTag | BtfEnum64;

/** Narrows a BtfType union member by kind: `BtfOfKind<'STRUCT'>` is BtfStruct. */
export type BtfOfKind<K extends BtfKind> = Extract<BtfType, { kind: K }>;

export type ByteOrder = 'little' | 'big';

/** A loaded BTF blob (raw file or an object's .BTF), optionally split over a base. */
export interface Btf {
  /** Where it came from (file path or "obj.o:.BTF"), used in error messages. */
  readonly source: string;
  readonly byteOrder: ByteOrder;
  /** The base BTF for split BTF (kernel module over vmlinux); undefined for a standalone BTF. */
  readonly base?: Btf;
  /** First type id defined by this BTF itself: 1 standalone, base.count for split BTF. */
  readonly startId: number;
  /** Number of type ids including void and the base's: valid ids are 0 .. count-1. */
  readonly count: number;
  /** Size of the string section including the base's (split string offsets continue from it). */
  readonly stringsSize: number;

  /** The type with this id (base ids are delegated to the base). Throws XdpMetaError if out of range. */
  typeById(id: number): BtfType;
  /** Kind of a type id without decoding the type (cheap: reads the wire record's info word). */
  kindOf(id: number): BtfKind;
  /** Name of a type id without decoding the type. */
  nameOf(id: number): string;
  /** First type with this exact name (and kind if given), searching the base first. The name index is built lazily on first use. */
  findByName<K extends BtfKind>(name: string, kind: K): BtfOfKind<K> | undefined;
  findByName(name: string, kind?: BtfKind): BtfType | undefined;
  /** Every type id with this exact name (and kind if given), ascending, base first. */
  findIdsByName(name: string, kind?: BtfKind): number[];
  /**
   * Every type id whose essential name is `essential` (and kind if given), ascending, base first. The
   * essential name is the name up to its last `___flavor` suffix (libbpf's bpf_core_essential_name_len):
   * `essential` 'xdp_md' finds `xdp_md` and `xdp_md___v2`, but 'a___b' never finds `a___b` itself (its
   * essential name is `a`). CO-RE candidate search; uses the same lazy index as findByName.
   */
  findIdsByEssentialName(essential: string, kind?: BtfKind): number[];
  /** String at an offset of the (combined base + split) string section. */
  stringAt(offset: number): string;

  /** Skips CONST/VOLATILE/RESTRICT/TYPE_TAG (libbpf's btf__skip_mods... minus typedefs). */
  skipModifiers(t: BtfType): BtfType;
  /** Skips modifiers and TYPEDEFs (libbpf's skip_mods_and_typedefs). */
  resolveTypedefs(t: BtfType): BtfType;
  /** Byte size as libbpf's btf__resolve_size: arrays multiply, pointers are 8, FUNC_PROTO/VOID/FWD throw. */
  sizeof(t: BtfType | number): number;
  /** Alignment in bytes as libbpf's btf__align_of. */
  alignof(t: BtfType | number): number;

  /** Every type id of this BTF's own part (startId .. count-1) decoded, in id order. */
  decodeAll(): BtfType[];
}
