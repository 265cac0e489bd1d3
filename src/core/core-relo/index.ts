// Public entry of the CO-RE resolver: libbpf's relocation algorithm over our BTF model.
export * from './kinds';
export { relocateObject } from './relocate';
export type { CoreReloResult, CoreObject, RelocateOptions } from './relocate';
export { findCands, kernelTarget, fileTarget } from './candidates';
export type { CoreTarget } from './candidates';
export { parseSpec, formatSpec, describeAccess, CoreSpecError } from './spec';
export type { CoreSpec, CoreAccessor } from './spec';
export { calcReloInsn, calcRelo, CoreReloError } from './calc';
export type { CoreReloRes, CoreCand, CandVerdict } from './calc';
export { patchInsn } from './patch';
export type { InsnSlot, PatchResult } from './patch';
export { typesAreCompat, typesMatch, fieldsAreCompat } from './compat';
export { essentialName, essentialNameLen } from './btf-util';
export { loadCoreObject, coreObjectFromBytes } from './object';
