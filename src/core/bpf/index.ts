// Public entry of the instruction layer: decoder, llvm-syntax disassembler, per-function code and listings.
export * from './opcodes';
export { decodeInsns, encodeSlot, callKind, isExit, jumpTarget, slots } from './decode';
export type { BpfInsn } from './decode';
export { formatInsn, hex, UNKNOWN } from './disasm';
export type { DisasmOptions } from './disasm';
export { objectFunctions, resolveCall, helperName, helperNamesFromEnum, llvmSymbolizer } from './program';
export type { BpfFunctionCode, CallTarget } from './program';
export { listObject, renderListing, annotation } from './listing';
export type { ListedFunction, ListedInsn, ListingOptions, SourceLine } from './listing';
export { HELPER_NAMES } from './helper-names';
