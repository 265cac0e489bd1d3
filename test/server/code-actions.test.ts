// Quick fixes on synthetic diagnostics: each edit is checked as text (the LSP test proves the fixes against clang + check).
import { strict as assert } from 'node:assert';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeActions } from '../../src/server/code-actions';
import { applyEdits } from './lsp-client';

const URI = 'file:///w/prog.bpf.c';

function fix(text: string, d: Partial<Diagnostic> & { line: number }, title: RegExp): string {
  const doc = TextDocument.create(URI, 'c', 1, text);
  const diag: Diagnostic = { range: { start: { line: d.line, character: 1 }, end: { line: d.line, character: 5 } }, message: d.message ?? '', code: d.code, data: d.data };
  const actions = codeActions(doc, [diag]);
  const a = actions.find((x) => title.test(x.title));
  assert.ok(a, `no ${title}; got ${actions.map((x) => x.title).join(' | ')}`);
  return applyEdits(text, a.edit!.changes![URI]);
}

describe('server quick fixes', () => {
  it('moves a program-owned struct out of the preserve_access_index pragma region', () => {
    const text = [
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
      'struct kern { int a; };',
      'struct my_meta {',
      '\t__u32 mark;',
      '};',
      '#pragma clang attribute pop',
      '',
    ].join('\n');
    const out = fix(text, { line: 3, code: 'core-unresolved', message: 'struct my_meta::mark', data: { kind: 'drop-preserve-access-index', struct: 'my_meta' } }, /Move struct my_meta out/);
    assert.equal(out, [
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
      'struct kern { int a; };',
      '#pragma clang attribute pop',
      'struct my_meta {',
      '\t__u32 mark;',
      '};',
      '#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)',
      '#pragma clang attribute pop',
      '',
    ].join('\n'));
  });

  it('meta-not-core: takes the offset from bpf_core_field_offset (a packet load libbpf relocates), never BPF_CORE_READ', () => {
    const text = '#include <bpf/bpf_helpers.h>\nint f(struct xdp_to_skb_metadata *m)\n{\n\treturn m->rx_hash & 1;\n}\n';
    const diag = { line: 3, code: 'meta-not-core', message: 'struct xdp_to_skb_metadata', data: { kind: 'use-core-read', struct: 'xdp_to_skb_metadata', field: 'rx_hash', accessLine: 4 } };
    const out = fix(text, diag, /bpf_core_field_offset/);
    assert.match(out, /#include <bpf\/bpf_core_read\.h>\n/);
    assert.match(out, /return \(\*\(__typeof__\(m->rx_hash\) \*\)\(\(void \*\)m \+ bpf_core_field_offset\(m->rx_hash\)\)\) & 1;/);
    const doc = TextDocument.create(URI, 'c', 1, text);
    const titles = codeActions(doc, [{ range: { start: { line: 3, character: 8 }, end: { line: 3, character: 9 } }, message: 'struct xdp_to_skb_metadata', code: 'meta-not-core', data: diag.data }]).map((a) => a.title);
    assert.ok(!titles.some((t) => /BPF_CORE_READ/.test(t)), titles.join('; '));
  });

  it('meta-not-core on a store: the CO-RE offset works for writes too', () => {
    const doc = TextDocument.create(URI, 'c', 1, 'void f(struct k *m)\n{\n\tm->x = 1;\n}\n');
    const actions = codeActions(doc, [{ range: { start: { line: 2, character: 1 }, end: { line: 2, character: 2 } }, message: 'struct k', code: 'meta-not-core', data: { kind: 'use-core-read', struct: 'k', accessLine: 3 } }]);
    assert.ok(!actions.some((a) => /BPF_CORE_READ/.test(a.title)));
    assert.ok(actions.some((a) => /bpf_core_field_offset/.test(a.title)));
  });

  it('adds a bounds check with the byte count for a non-struct pointer, returning the program\'s verdict', () => {
    const text = [
      'SEC("xdp")',
      'int p(struct xdp_md *ctx)',
      '{',
      '\t__u8 *m = (void *)(long)ctx->data_meta;',
      '\tm[3] = 1;',
      '\treturn XDP_PASS;',
      '}',
    ].join('\n');
    const out = fix(text, { line: 4, code: 'meta-bounds', data: { kind: 'add-bounds-check', bytesNeeded: 4, bytesProven: 0, accessLine: 5, pointer: 'm' } }, /Add the bounds check/);
    assert.match(out, /\tif \(\(void \*\)m \+ 4 > \(void \*\)\(long\)ctx->data\)\n\t\treturn XDP_PASS;\n\tm\[3\] = 1;/);
  });

  it('replaces a strong kfunc declaration with the check\'s __weak one', () => {
    const text = '#include <x.h>\nextern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *p, __u16 *t) __ksym;\n';
    const weak = 'extern int bpf_xdp_metadata_rx_vlan_tag(const struct xdp_md *ctx, __be16 *p, __u16 *t) __ksym __weak;';
    const out = fix(text, { line: 1, code: 'kfunc-missing', data: { kind: 'declare-kfunc', kfunc: 'bpf_xdp_metadata_rx_vlan_tag', declaration: weak } }, /__weak/);
    assert.equal(out, `#include <x.h>\n${weak}\n`);
  });

  it('applies clang\'s own fix-its', () => {
    const text = 'int f(void)\n{\n\treturn 0\n}\n';
    const out = fix(text, { line: 2, message: "expected ';' after return statement", data: { fixits: [{ range: { start: { line: 2, character: 9 }, end: { line: 2, character: 9 } }, newText: ';' }] } }, /clang fix-it/);
    assert.equal(out, 'int f(void)\n{\n\treturn 0;\n}\n');
  });
});
