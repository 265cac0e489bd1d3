import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { explain } from '../../../src/core/verifier/explain';
import { parseLogFile } from '../../../src/core/verifier/read';
import { BufferTextSource, FileTextSource } from '../../../src/core/verifier/text-source';
import { prng } from './log-fuzz-harness';

describe('core/verifier/text-source (block reads)', () => {
  let dir = '';
  before(() => { dir = mkdtempSync(path.join(tmpdir(), 'xdp-meta-textsrc-')); });
  after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

  it('reads any byte range as the in-memory text does, across block boundaries and multi-byte characters', () => {
    const text = Buffer.from(Array.from({ length: 30_000 }, (_, i) => `${i}: (b7) r0 = ${i} ; R0=${i} ü€\n`).join(''), 'utf8');
    const file = path.join(dir, 'a.log');
    writeFileSync(file, text);
    const f = new FileTextSource(file);
    const b = new BufferTextSource(text);
    const rnd = prng(7);
    for (let k = 0; k < 2000; k++) {
      const start = Math.floor(rnd() * text.length);
      const len = k % 50 === 0 ? Math.floor(rnd() * 600_000) : Math.floor(rnd() * 300);
      const end = Math.min(text.length + 10, start + len);
      assert.equal(f.read(start, end), b.read(start, Math.min(end, text.length)), `${start}..${end}`);
    }
    f.close();
  });

  it('explaining a long level-1 log reads the file in blocks, not a syscall per line', async () => {
    const lines = ['0: R1=ctx() R10=fp0', '0: (61) r1 = *(u32 *)(r1 +8)         ; R1=pkt_meta(r=0)'];
    for (let i = 1; i <= 20_000; i++) lines.push(`${i}: (07) r3 += 0                        ; R3=scalar(smin=0,smax=${i})`);
    lines.push('20001: (61) r0 = *(u32 *)(r1 +0)', 'invalid access to packet, off=0 size=4, R1(id=0,off=0,r=0)',
      'R1 offset is outside of the packet', 'processed 20002 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0', '');
    const file = path.join(dir, 'long.log');
    writeFileSync(file, lines.join('\n'));
    const log = await parseLogFile(file);
    // The module object itself (the ES namespace has getters only): text-source calls through it.
    const nodeFs = require('node:fs') as { readSync: typeof fs.readSync };
    const orig = nodeFs.readSync;
    let reads = 0;
    nodeFs.readSync = ((...a: Parameters<typeof fs.readSync>) => { reads++; return orig(...a); }) as typeof fs.readSync;
    try {
      const e = explain(log)!;
      assert.equal(e.id, 'packet-meta-range');
      assert.equal(e.facts.kind, 'pkt_meta');
      log.summary();
    } finally {
      nodeFs.readSync = orig;
      log.close();
    }
    const blocks = Math.ceil(fs.statSync(file).size / 65536);
    assert.ok(reads <= blocks + 4, `${reads} reads for a ${blocks}-block log`);
  });
});
