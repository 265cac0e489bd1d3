// Real level-2 logs from Debian 6.1 and 6.12 (made by `xdp-meta matrix`): exact summaries on both formats.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { explain } from '../../../src/core/verifier/explain';
import { parseLogText } from '../../../src/core/verifier/read';

const DIR = path.resolve(__dirname, '../../fixtures/verifier/kernels');

interface Expected {
  verdict: 'accepted' | 'rejected';
  error: { message: string; insn: number | null; file: string | null; line: number | null } | null;
  processed_insns: number | null;
  total_states: number | null;
  peak_states: number | null;
}

describe('verifier: real logs of Debian 6.1 and 6.12', () => {
  const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, Record<string, Expected>>;
  const releases = readdirSync(DIR).filter((d) => !d.includes('.json') && !d.endsWith('.md'));

  it('has logs of both kernels, and 6.1 lacks the `@ file:line` suffix that 6.12 prints', () => {
    assert.deepEqual(releases.map((r) => r.split('.').slice(0, 2).join('.')).sort(), ['6.1', '6.12']);
    const text = (rel: string, name: string): string => readFileSync(path.join(DIR, rel, `${name}.l2.log`), 'utf8');
    const r61 = releases.find((r) => r.startsWith('6.1.'))!;
    const r612 = releases.find((r) => r.startsWith('6.12.'))!;
    assert.match(text(r61, 'meta_no_bounds'), /^; meta->hash = 7;$/m);
    assert.doesNotMatch(text(r61, 'meta_no_bounds'), / @ \S+\.c:\d+$/m);
    assert.match(text(r612, 'meta_no_bounds'), / @ meta_no_bounds\.bpf\.c:\d+$/m);
  });

  for (const rel of Object.keys(expected)) {
    for (const [name, want] of Object.entries(expected[rel]!)) {
      it(`${rel}: ${name} (${want.verdict}${want.error?.insn != null ? ` at insn ${want.error.insn}` : ''})`, () => {
        const log = parseLogText(readFileSync(path.join(DIR, rel, `${name}.l2.log`)), { source: `${rel}/${name}`, level: 2 });
        const s = log.summary();
        // libbpf failed before the kernel saw the program: the error is libbpf's message, as the matrix reports it.
        const e = s.error ? null : explain(log);
        if (e) s.error = { message: e.message, insn: null, file: null, line: null };
        assert.deepEqual(
          { error: s.error, processed_insns: s.processed_insns, total_states: s.total_states, peak_states: s.peak_states },
          { error: want.verdict === 'accepted' ? null : want.error, processed_insns: want.processed_insns, total_states: want.total_states, peak_states: want.peak_states });
        if (want.processed_insns !== null) assert.equal(s.unknown_lines, 0, 'every line classified');
      });
    }
  }
});
