// CO-RE relocation kinds (enum bpf_core_relo_kind) and libbpf's grouping of them (relo_core.c).

export const BPF_CORE_FIELD_BYTE_OFFSET = 0;
export const BPF_CORE_FIELD_BYTE_SIZE = 1;
export const BPF_CORE_FIELD_EXISTS = 2;
export const BPF_CORE_FIELD_SIGNED = 3;
export const BPF_CORE_FIELD_LSHIFT_U64 = 4;
export const BPF_CORE_FIELD_RSHIFT_U64 = 5;
export const BPF_CORE_TYPE_ID_LOCAL = 6;
export const BPF_CORE_TYPE_ID_TARGET = 7;
export const BPF_CORE_TYPE_EXISTS = 8;
export const BPF_CORE_TYPE_SIZE = 9;
export const BPF_CORE_ENUMVAL_EXISTS = 10;
export const BPF_CORE_ENUMVAL_VALUE = 11;
export const BPF_CORE_TYPE_MATCHES = 12;

/** Spec names (BPF_CORE_<name>), index = wire value. */
export const CORE_RELO_KIND_NAMES = [
  'FIELD_BYTE_OFFSET', 'FIELD_BYTE_SIZE', 'FIELD_EXISTS', 'FIELD_SIGNED', 'FIELD_LSHIFT_U64', 'FIELD_RSHIFT_U64',
  'TYPE_ID_LOCAL', 'TYPE_ID_TARGET', 'TYPE_EXISTS', 'TYPE_SIZE', 'ENUMVAL_EXISTS', 'ENUMVAL_VALUE', 'TYPE_MATCHES',
] as const;
export type CoreReloKindName = (typeof CORE_RELO_KIND_NAMES)[number];

/** The short names libbpf prints in its logs (relo_core.c: core_relo_kind_str). */
const LIBBPF_KIND_STR = [
  'byte_off', 'byte_sz', 'field_exists', 'signed', 'lshift_u64', 'rshift_u64', 'local_type_id',
  'target_type_id', 'type_exists', 'type_size', 'enumval_exists', 'enumval_value', 'type_matches',
];

export const coreReloKindStr = (kind: number): string => LIBBPF_KIND_STR[kind] ?? 'unknown';
export const coreReloKindName = (kind: number): string => CORE_RELO_KIND_NAMES[kind] ?? `UNKNOWN(${kind})`;

/** relo_core.c: core_relo_is_field_based. */
export const isFieldBased = (kind: number): boolean => kind >= BPF_CORE_FIELD_BYTE_OFFSET && kind <= BPF_CORE_FIELD_RSHIFT_U64;
/** relo_core.c: core_relo_is_type_based. */
export const isTypeBased = (kind: number): boolean =>
  kind === BPF_CORE_TYPE_ID_LOCAL || kind === BPF_CORE_TYPE_ID_TARGET || kind === BPF_CORE_TYPE_EXISTS ||
  kind === BPF_CORE_TYPE_MATCHES || kind === BPF_CORE_TYPE_SIZE;
/** relo_core.c: core_relo_is_enumval_based. */
export const isEnumvalBased = (kind: number): boolean => kind === BPF_CORE_ENUMVAL_EXISTS || kind === BPF_CORE_ENUMVAL_VALUE;

/** The instruction libbpf substitutes for an unresolvable relocation: `call 0xbad2310` ("bad relo"). */
export const POISON_IMM = 195896080;
