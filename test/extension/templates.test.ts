// New Project from Template: picker rows in plain text that do not repeat themselves; xdp-hints-core targets its stand-in kernel.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { listTemplates } from '../../src/core/compile';
import { templateItem } from '../../src/extension/template-items';

const ROOT = path.resolve(__dirname, '../..');

describe('project template picker', () => {
  const items = listTemplates(path.join(ROOT, 'bpf-templates')).map(templateItem);

  it('labels without literal backticks or markdown, descriptions that do not repeat the label', () => {
    assert.ok(items.length >= 3);
    for (const i of items) {
      assert.doesNotMatch(i.label + i.detail, /[`*]/, i.label);
      assert.ok(!i.description || !i.label.includes(i.description), `${i.label} / ${i.description}`);
    }
    assert.equal(items.find((i) => i.t.name === 'tc-meta-magic')?.label, 'XDP → TC through data_meta');
  });

  it('xdp-hints-core ships the workspace setting that targets its stand-in kernel, and its README says so', () => {
    const dir = path.join(ROOT, 'bpf-templates/xdp-hints-core');
    const settings = JSON.parse(readFileSync(path.join(dir, '.vscode/settings.json'), 'utf8')) as Record<string, string>;
    assert.equal(settings['xdpMeta.check.targetBtf'], 'target-kernel.o');
    assert.match(readFileSync(path.join(dir, 'README.md'), 'utf8'), /"xdpMeta\.check\.targetBtf":\s*"target-kernel\.o"/);
    assert.match(readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8'), /^!bpf-templates\/\*\*\/\.vscode\/settings\.json$/m);
  });
});
