// Public entry of the ELF reader: parse objects and look at their BPF programs, functions and externs.
export * from './types';
export { parseElf, readElfFile, isElf } from './reader';
export { programSections, functionsIn, allFunctions, externSymbols } from './bpf';
