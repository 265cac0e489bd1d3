// Public entry of the BTF library: load BTF, navigate its types, read .BTF.ext, dump C.
export * from './types';
export { parseBtf, btfFromElf, readBtfFile, kernelBtf } from './load';
export type { BtfLoadOptions } from './load';
export { BtfBuilder } from './builder';
export type { BuilderMember, BuilderParam, BuilderSecinfo } from './builder';
export { parseBtfExt, btfExtFromElf, lineInfoFor, lineAt, BPF_CORE_RELO_KIND_NAMES } from './ext';
export type { BtfExt, BtfExtFuncInfo, BtfExtLineInfo, BtfExtCoreRelo, BtfExtSection, BpfCoreReloKindName } from './ext';
export { dumpRaw, formatTypeRaw } from './format-raw';
export { dumpC } from './c-dump';
export type { CDumpOptions } from './c-dump';
export { typeToJson, kindCounts } from './format-json';
export type { BtfTypeJson } from './format-json';
