import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const GRAMMAR = path.resolve(__dirname, '../../../syntaxes/bpf-verifier-log.tmLanguage.json');

interface Rule { match?: string; begin?: string; end?: string; patterns?: Rule[]; captures?: Record<string, Rule>; beginCaptures?: Record<string, Rule> }

function collectRegexes(rule: Rule, out: string[]): void {
  for (const k of ['match', 'begin', 'end'] as const) if (rule[k]) out.push(rule[k]!);
  for (const p of rule.patterns ?? []) collectRegexes(p, out);
  for (const c of Object.values({ ...rule.captures, ...rule.beginCaptures })) collectRegexes(c, out);
}

async function loadGrammar(): Promise<vsctm.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s: string[]) => new oniguruma.OnigScanner(s),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => (scope === 'source.bpf-verifier-log'
      ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  const g = await registry.loadGrammar('source.bpf-verifier-log');
  assert.ok(g);
  return g;
}

function scopesOf(g: vsctm.IGrammar, line: string): Map<string, string[]> {
  const { tokens } = g.tokenizeLine(line, vsctm.INITIAL);
  const out = new Map<string, string[]>();
  for (const t of tokens) out.set(line.slice(t.startIndex, t.endIndex), t.scopes);
  return out;
}

const has = (m: Map<string, string[]>, text: string, scope: string): boolean =>
  [...m].some(([k, v]) => k.includes(text) && v.some((s) => s.startsWith(scope)));

describe('syntaxes/bpf-verifier-log.tmLanguage.json', () => {
  let grammar: vsctm.IGrammar;
  before(async () => {
    grammar = await loadGrammar();
  });

  it('is JSON with the right scope and every regex compiles in Oniguruma', () => {
    const json = JSON.parse(readFileSync(GRAMMAR, 'utf8')) as Rule & { scopeName: string; repository: Record<string, Rule> };
    assert.equal(json.scopeName, 'source.bpf-verifier-log');
    const regexes: string[] = [];
    collectRegexes(json, regexes);
    for (const r of Object.values(json.repository)) collectRegexes(r, regexes);
    assert.ok(regexes.length > 20);
    for (const r of regexes) assert.doesNotThrow(() => new oniguruma.OnigScanner([r]), r);
  });

  it('colours registers, states, source lines, errors and statistics', () => {
    const insn = scopesOf(grammar, '5: (61) r1 = *(u32 *)(r6 +8)          ; R1=pkt_meta(r=0) R6=ctx()');
    assert.ok(has(insn, '5', 'constant.numeric.pc'));
    assert.ok(has(insn, 'r1', 'variable.other.register'));
    assert.ok(has(insn, 'R1', 'variable.other.register'));
    assert.ok(has(insn, 'pkt_meta', 'support.type.register-type'));
    const src = scopesOf(grammar, '; meta->hash = 7; @ meta_no_bounds.bpf.c:14');
    assert.ok(has(src, 'meta_no_bounds.bpf.c', 'entity.name.filename'));
    assert.ok(has(src, '14', 'constant.numeric.line-number'));
    assert.ok(has(scopesOf(grammar, 'invalid access to packet, off=4 size=4, R1(id=0,off=4,r=0)'), 'invalid access', 'invalid.illegal.error'));
    assert.ok(has(scopesOf(grammar, 'R9 !read_ok'), 'R9', 'invalid.illegal.error'));
    const stats = scopesOf(grammar, 'processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 3 peak_states 2 mark_read 0');
    assert.ok(has(stats, 'processed', 'keyword.other.statistics'));
    assert.ok(has(stats, 'total_states', 'keyword.other.statistics'));
    assert.ok(has(scopesOf(grammar, 'from 14 to 17: safe'), 'safe', 'markup.inserted'));
    const call = scopesOf(grammar, '3: (85) call bpf_xdp_adjust_meta#54   ; R0=scalar()');
    assert.ok(has(call, 'bpf_xdp_adjust_meta', 'entity.name.function'));
    const st = scopesOf(grammar, '4: R1=0 R10=fp0 fp-8=0000????');
    assert.ok(has(st, 'fp-8', 'variable.other.stack'));
  });

  it('tokenizes a whole captured log without errors', () => {
    const text = readFileSync(path.resolve(__dirname, '../../fixtures/verifier/logs/subprog_good.l2.log'), 'utf8');
    let state = vsctm.INITIAL;
    for (const line of text.split('\n')) state = grammar.tokenizeLine(line, state).ruleStack;
  });
});
