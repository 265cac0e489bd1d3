// The struct rows decode as is the one the program writes into data_meta, whatever the last 4 bytes hold (every template, colliding ids).
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCaptureObject } from '../../../src/core/remote/capture-wrap';
import { metaStructEvidence } from '../../../src/core/remote/meta-struct';
import { metaDecoderFor, typeInfo } from '../../../src/core/remote/session';
import { parseElf } from '../../../src/core/elf';
import { hasClang } from '../../helpers/clang';
import { requirePrereq } from '../../helpers/prereq';

const ROOT = path.resolve(__dirname, '../../..');
const T = (f: string) => path.join(ROOT, 'bpf-templates', f);
const F = (f: string) => path.join(ROOT, 'test/fixtures/remote', f);

/** Every XDP/TC program of the templates and fixtures, with the struct its rows must decode as (undefined: it writes none). */
const CASES: { file: string; program: string; struct?: string; size: number; choice?: string }[] = [
  { file: T('tc-meta-magic/tc_meta_magic.bpf.c'), program: 'xdp_write_meta', struct: 'meta_magic', size: 16, choice: 'program-writes' },
  { file: T('tc-meta-magic/tc_meta_magic.bpf.c'), program: 'tc_read_meta', struct: 'meta_magic', size: 16, choice: 'program-reads' },
  { file: T('af-xdp-hints/af_xdp_hints.bpf.c'), program: 'xdp_hints_to_xsk', struct: 'xdp_hints_meta', size: 24, choice: 'program-writes' },
  { file: T('xdp-hints-core/xdp_hints_core.bpf.c'), program: 'tc_read_hints', struct: 'xdp_to_skb_metadata', size: 24, choice: 'program-reads' },
  { file: T('xdp-hints-core/xdp_hints_core.bpf.c'), program: 'xdp_export_hints', size: 24 },
  // The DWARF reader keeps `m`/`h` though -O2 leaves them no location at the stores: the program's writes decide.
  { file: F('meta_magic.bpf.c'), program: 'xdp_meta_magic', struct: 'meta_magic', size: 8, choice: 'program-writes' },
  { file: F('rx_hash.bpf.c'), program: 'xdp_rx_hash', struct: 'rx_hints', size: 8, choice: 'program-writes' },
  { file: F('drop_every_other.bpf.c'), program: 'xdp_alternate', struct: 'verdict_meta', size: 4, choice: 'program-writes' },
  { file: F('bench_meta.bpf.c'), program: 'xdp_bench_meta', struct: 'bench_meta', size: 16, choice: 'program-writes' },
];

function withTrailer(size: number, id: number): Buffer {
  const b = Buffer.alloc(size, 0x5a);
  b.writeUInt32LE(id, size - 4);
  return b;
}

describe('core/remote/meta-struct: the struct a program writes into data_meta', function () {
  this.timeout(120_000);
  const root = mkdtempSync(path.join(os.tmpdir(), 'xdp-meta-struct-test-'));
  const dir = (name: string): string => {
    const d = path.join(root, name);
    mkdirSync(d, { recursive: true });
    return d;
  };

  before(function () {
    requirePrereq(this, hasClang(), 'clang-19');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const c of CASES) {
    it(`${path.basename(c.file)} ${c.program}: ${c.struct ?? 'no struct written'} at every colliding trailer value`, async () => {
      const b = await buildCaptureObject(c.file, { program: c.program, outDir: dir(`${c.program}`) });
      const bytes = readFileSync(b.objectPath);
      const elf = parseElf(bytes, b.objectPath);
      const evidence = metaStructEvidence(bytes, b.objectPath, c.program);
      const decoder = metaDecoderFor(c.file, elf, { sourceText: b.sourceText, evidence });
      const { btf } = typeInfo(b.objectPath, elf);
      assert.ok(btf);
      // Every type id of the object in the last 4 bytes (an ifindex, a counter): the choice never moves.
      const first = decoder.decode(withTrailer(c.size, 0));
      if (c.struct) {
        assert.equal(first.struct, c.struct, JSON.stringify(evidence));
        assert.equal(first.choice, c.choice);
      }
      for (let id = 1; id < btf.count + 2; id++) {
        const d = decoder.decode(withTrailer(c.size, id));
        assert.equal(d.struct, first.struct, `trailer ${id} (${id < btf.count ? `${btf.kindOf(id)} ${btf.nameOf(id) || '(anonymous)'}` : 'no type'}) moved the choice`);
        assert.equal(d.choice, first.choice);
      }
    });
  }

  it('trusts a trailer only for the structs whose local type id the program stores there', async () => {
    const b = await buildCaptureObject(F('trailer_meta.bpf.c'), { outDir: dir('trailer') });
    const bytes = readFileSync(b.objectPath);
    const elf = parseElf(bytes, b.objectPath);
    const evidence = metaStructEvidence(bytes, b.objectPath, 'xdp_trailer');
    assert.deepEqual([...evidence.trailer].sort(), ['hint_large', 'hint_small']);
    const decoder = metaDecoderFor(b.objectPath, elf, { evidence });
    const { btf } = typeInfo(b.objectPath, elf);
    const id = (n: string) => btf!.findByName(n, 'STRUCT')!.id;
    const small = decoder.decode(withTrailer(8, id('hint_small')));
    assert.deepEqual([small.struct, small.choice], ['hint_small', 'btf-id-trailer']);
    const large = decoder.decode(withTrailer(16, id('hint_large')));
    assert.deepEqual([large.struct, large.choice], ['hint_large', 'btf-id-trailer']);
    // hint_other is 8 bytes and in BTF, but the program never stores its id: its id is just data.
    const other = decoder.decode(withTrailer(8, id('hint_other')));
    assert.deepEqual([other.struct, other.choice], ['hint_small', 'program-writes']);
  });
});
