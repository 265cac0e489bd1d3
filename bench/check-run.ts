// One first-in-process check of an object (modules loaded, nothing warm), timed; prints {firstMs, secondMs} (run by check.bench.ts).
// --btf-ready: load the kernel BTF and build both name-index partitions first, as a CLI could while clang compiles.
import { kernelBtf } from '../src/core/btf/load';
import { runCheck } from '../src/core/check';

const args = process.argv.slice(2);
const [obj, src] = args.filter((a) => !a.startsWith('--'));
if (!obj || !src) throw new Error('usage: check-run.ts [--btf-ready] OBJECT SOURCE');
if (args.includes('--btf-ready')) {
  kernelBtf().findByName('xdp_md', 'STRUCT');
  kernelBtf().findByName('bpf_xdp_adjust_meta', 'FUNC');
}
const t0 = performance.now();
runCheck([{ objectPath: obj, sourcePath: src }]);
const t1 = performance.now();
runCheck([{ objectPath: obj, sourcePath: src }]);
const t2 = performance.now();
process.stdout.write(JSON.stringify({ firstMs: t1 - t0, secondMs: t2 - t1 }) + '\n');
