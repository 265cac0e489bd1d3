// One first-in-process CO-RE relocation of an object against vmlinux (modules loaded, nothing warm), timed; prints {firstMs} (run by relo.bench.ts).
import { readBtfFile } from '../src/core/btf/load';
import { loadCoreObject, relocateObject } from '../src/core/core-relo';

const [obj, vmlinux] = process.argv.slice(2);
if (!obj || !vmlinux) throw new Error('usage: relo-run.ts OBJECT VMLINUX');
const t0 = performance.now();
relocateObject(loadCoreObject(obj), { main: readBtfFile(vmlinux), mainName: 'vmlinux' });
process.stdout.write(JSON.stringify({ firstMs: performance.now() - t0 }) + '\n');
