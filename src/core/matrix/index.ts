// The kernel matrix: programs × kernels, static findings per kernel's BTF and the real verifier of each kernel.
export * from './types';
export { runMatrix, matrixCacheDir, type MatrixOptions } from './run';
export { matrixPrograms } from './inputs';
export { staticForKernel, differingFindings } from './static';
