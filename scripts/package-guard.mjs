// Refuses a VSIX that cannot run: what the capture wrapper #includes, the agent binaries, bundles, templates, page images.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';

/** The header the capture wrapper includes (src/core/remote/capture-wrap.ts), relative to the repository. */
export const WRAPPER_HEADER = 'agent/xdp-meta-capture.bpf.h';

/** `#include "x"` names of a C file (angle includes come from the host's system headers, not from us). */
export function quotedIncludes(text) {
  const out = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"]+)"/gm)) out.push(m[1]);
  return out;
}

/**
 * Every file the wrapper header pulls in through quoted includes, transitively, relative to `root`;
 * each missing one is reported with the file that includes it.
 */
export function wrapperHeaders(root, header = WRAPPER_HEADER) {
  const found = [];
  const missing = [];
  const queue = [header];
  const seen = new Set();
  while (queue.length) {
    const rel = queue.shift();
    if (seen.has(rel)) continue;
    seen.add(rel);
    const abs = path.join(root, rel);
    if (!existsSync(abs)) continue; // reported by the includer below (or the caller, for the top header)
    found.push(rel);
    for (const inc of quotedIncludes(readFileSync(abs, 'utf8'))) {
      const incRel = path.posix.normalize(path.posix.join(path.posix.dirname(rel), inc));
      if (!existsSync(path.join(root, incRel))) missing.push(`${incRel} (included by ${rel})`);
      else queue.push(incRel);
    }
  }
  if (!existsSync(path.join(root, header))) missing.unshift(`${header} (the capture wrapper's header)`);
  return { found, missing };
}

const HOST_ARCH = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;

/** The architectures an agent is shipped for (agent/build also holds test builds, e.g. the sanitizer one). */
const AGENT_ARCHES = ['x86_64', 'aarch64'];

/** Agent binaries built in agent/build; the host's own architecture is required. */
export function agentBinaries(root) {
  const dir = path.join(root, 'agent/build');
  const names = existsSync(dir) ? readdirSync(dir).filter((n) => AGENT_ARCHES.some((a) => n === `xdp-meta-agent-${a}`)) : [];
  const missing = names.includes(`xdp-meta-agent-${HOST_ARCH}`) ? []
    : [`agent/build/xdp-meta-agent-${HOST_ARCH} (the agent for this machine: run \`make -C agent\`)`];
  return { found: names.map((n) => `agent/build/${n}`), missing };
}

/** Files under `rel` (recursively), relative to root, skipping build products. */
function filesUnder(root, rel, skip = /\.o$/) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs).flatMap((n) => (skip.test(n) ? [] : filesUnder(root, path.posix.join(rel, n), skip)));
}

/** Images a markdown page links to by relative path (the VSIX page shows them from the package). */
export function pageImages(markdown) {
  return [...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((u) => !/^[a-z]+:/i.test(u));
}

/** What the packaged extension opens at run time, relative to the repository (= the package's extension/ folder). */
export function requiredFiles(root, readmePath) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const req = new Set(['package.json', 'docs/rules.md', 'dist/extension.js', 'dist/server.js', 'dist/cli.js', pkg.icon]);
  for (const g of pkg.contributes?.grammars ?? []) req.add(path.posix.normalize(g.path));
  for (const l of pkg.contributes?.languages ?? []) if (l.configuration) req.add(path.posix.normalize(l.configuration));
  for (const w of pkg.contributes?.walkthroughs ?? []) {
    for (const s of w.steps ?? []) for (const k of ['markdown', 'image']) {
      const m = s.media?.[k];
      if (typeof m === 'string') req.add(path.posix.normalize(m));
    }
  }
  for (const f of filesUnder(root, 'dist/webview')) if (/\.(js|css|ttf)$/.test(f)) req.add(f);
  for (const f of filesUnder(root, 'bpf-templates')) req.add(f);
  for (const f of wrapperHeaders(root).found) req.add(f);
  for (const f of agentBinaries(root).found) req.add(f);
  if (readmePath) for (const img of pageImages(readFileSync(path.join(root, readmePath), 'utf8'))) req.add(path.posix.normalize(img));
  return [...req].filter(Boolean).sort();
}

/** Before packaging: what must exist in the repository. Returns the problems, empty when fine. */
export function checkSources(root, readmePath) {
  const problems = [...wrapperHeaders(root).missing, ...agentBinaries(root).missing];
  for (const f of requiredFiles(root, readmePath)) if (!existsSync(path.join(root, f))) problems.push(`${f} (not in the repository: build it or add it)`);
  return problems;
}

/** Entry names of a zip file (its central directory). */
export function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file}: not a zip file (no end-of-central-directory record)`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: corrupt central directory at byte ${p}`);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    names.push(buf.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** One entry's bytes (stored or deflated), for reading the packaged manifest. */
export function zipRead(file, entry) {
  const buf = readFileSync(file);
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const method = buf.readUInt16LE(p + 10), size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    if (buf.subarray(p + 46, p + 46 + nameLen).toString('utf8') === entry) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
      const data = buf.subarray(start, start + size);
      return method === 0 ? data : inflateRawSync(data);
    }
    p += 46 + nameLen + extraLen + commentLen;
  }
  return undefined;
}

/** Files that must never ship: test builds of the agent (sanitizers), source maps, sources and tests. */
const SHIPS_NOT = /^extension\/(agent\/build\/.*-(asan|ubsan|debug)|.*\.map$|src\/|test\/)/;

/** After packaging: every required file is in the VSIX (under extension/), and the page is the user one. */
export function checkVsix(root, vsix, readmePath) {
  const entries = new Set(zipEntries(vsix));
  const problems = requiredFiles(root, readmePath).filter((f) => !entries.has(`extension/${f}`))
    .map((f) => `extension/${f} (left out of the VSIX: add a \`!${f}\` line to .vscodeignore)`);
  if (!entries.has('extension/readme.md')) problems.push('extension/readme.md (the marketplace page)');
  for (const e of entries) if (SHIPS_NOT.test(e)) problems.push(`${e} (does not run for users: keep it out through .vscodeignore)`);
  return problems;
}
