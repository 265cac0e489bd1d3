// One rule of docs/rules.md by anchor, and the help panel's page around it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CheckCode } from '../../src/core/check/types';
import { ruleHelpHtml, ruleSection } from '../../src/extension/rule-doc';

const RULE_CODES: CheckCode[] = ['core-unresolved', 'meta-not-core', 'meta-bounds', 'meta-layout-mismatch', 'meta-trailer', 'kfunc-devbound', 'kfunc-missing', 'helper-missing'];
const RULES = readFileSync(path.resolve(__dirname, '../../docs/rules.md'), 'utf8');

describe('rule help (docs/rules.md sections)', () => {
  it('finds every rule code, from its heading to the next rule only', () => {
    for (const code of RULE_CODES) {
      const s = ruleSection(RULES, code);
      assert.ok(s, code);
      assert.match(s, new RegExp(`^## ${code}\\n`));
      assert.equal(s.match(/^## /gm)?.length, 1, `${code}: one rule`);
      assert.doesNotMatch(s, /<a id=/);
    }
  });

  it('answers undefined for an unknown or malformed code', () => {
    assert.equal(ruleSection(RULES, 'no-such-rule'), undefined);
    assert.equal(ruleSection(RULES, '../x'), undefined);
  });

  it('renders into a page without scripts, the markdown escaped when no renderer answered', () => {
    const html = ruleHelpHtml({ code: 'meta-bounds', markdown: '## meta-bounds\n<b>x</b>', nonce: 'n1' });
    assert.match(html, /default-src 'none'; style-src 'nonce-n1'/);
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /data-rule="meta-bounds"/);
    assert.match(html, /&lt;b&gt;x&lt;\/b&gt;/);
    assert.match(ruleHelpHtml({ code: 'x', markdown: '', bodyHtml: '<h2>x</h2>' }), /<h2>x<\/h2>/);
  });
});
