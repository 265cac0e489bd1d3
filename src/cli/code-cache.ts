// Loads a CommonJS bundle with V8's code cache for it kept in the user's cache folder (Node 20 has no module.enableCompileCache).
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { readCacheFile, writeCacheFile } from '../core/util/cache-dir';
import { fileIdentity, sameIdentity, type FileIdentity } from '../core/util/file-identity';

const MAGIC = 'XMCODE1\n';

/** What the cached code was made from: this very bundle file, this V8, and which commands' code it holds. */
interface Head { id: FileIdentity; v8: string; tags: string[] }

/** The header and cached data of `name`, when it was made from the file `id` names with this V8; else undefined. */
function readEntry(name: string, id: FileIdentity | undefined): { head: Head; data: Buffer } | undefined {
  const raw = id && readCacheFile(name);
  if (!id || !raw || raw.length < MAGIC.length + 4 || raw.toString('latin1', 0, MAGIC.length) !== MAGIC) return undefined;
  try {
    const dataAt = MAGIC.length + 4 + raw.readUInt32LE(MAGIC.length);
    if (dataAt > raw.length) return undefined;
    const head = JSON.parse(raw.toString('utf8', MAGIC.length + 4, dataAt)) as Head;
    if (!head || !sameIdentity(head.id, id) || head.v8 !== process.versions.v8 || !Array.isArray(head.tags)) return undefined;
    return { head, data: raw.subarray(dataAt) };
  } catch {
    return undefined; // a torn or foreign file is only a miss
  }
}

export interface LoadedBundle {
  exports: unknown;
  /** The cache was used (made from this very file by this V8, and accepted by it). */
  hit: boolean;
  /** Writes the cache for the next process (at exit, once the run has compiled what it calls); undefined when it holds all this run needs. */
  save?: () => void;
}

/**
 * `require(file)` for a self-contained CommonJS bundle, compiled with the code cache of an earlier run. V8
 * compiles functions lazily, so the cache holds the functions the runs that made it called: `tag` names the
 * kind of run (the subcommand), and a run of a kind not in the cache yet gets a `save` that rewrites it with
 * theirs added. V8 refuses data made for other source or flags; that is a miss too.
 */
export function loadWithCodeCache(file: string, tag: string): LoadedBundle {
  const source = readFileSync(file, 'utf8');
  const name = `code-${path.basename(file, '.js')}.bin`;
  const id = fileIdentity(file);
  const entry = readEntry(name, id);
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: entry?.data });
  const hit = entry !== undefined && !script.cachedDataRejected;
  const save = id && (!hit || !entry.head.tags.includes(tag)) ? (): void => {
    const head: Head = { id, v8: process.versions.v8, tags: [...new Set([...(hit ? entry.head.tags : []), tag])] };
    const json = Buffer.from(JSON.stringify(head), 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(json.length);
    writeCacheFile(name, Buffer.concat([Buffer.from(MAGIC, 'latin1'), len, json, script.createCachedData()]));
  } : undefined;
  const mod = new Module(file);
  mod.filename = file;
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  return { exports: mod.exports, hit, save };
}
