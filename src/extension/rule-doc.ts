// One rule of docs/rules.md: its section found by anchor, and the HTML page the rule help panel shows it in.
import { randomBytes } from 'node:crypto';

/** Rule codes are `[a-z0-9-]+` (docs/rules.md anchors); anything else names no rule. */
export function isRuleCode(code: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(code);
}

/**
 * The markdown of rule `code`: from its `<a id="code">` anchor (or `## code` heading) to the next rule.
 * Undefined when docs/rules.md has no such rule.
 */
export function ruleSection(markdown: string, code: string): string | undefined {
  if (!isRuleCode(code)) return undefined;
  const lines = markdown.split('\n');
  let start = lines.findIndex((l) => l.trim() === `## ${code}`);
  if (start < 0) return undefined;
  let end = start + 1;
  while (end < lines.length && !/^#{1,2} /.test(lines[end]) && !/^<a id="[^"]+"><\/a>\s*$/.test(lines[end])) end++;
  // The anchor line above the heading belongs to this rule, not to the previous one's text.
  if (start > 0 && /^<a id="[^"]+"><\/a>\s*$/.test(lines[start - 1])) start--;
  return lines.slice(start, end).join('\n').replace(/^<a id="[^"]+"><\/a>\s*\n/, '').trim() + '\n';
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The panel page: rendered rule HTML (from VS Code's markdown renderer) or, without it, the escaped markdown. */
export function ruleHelpHtml(opts: { code: string; bodyHtml?: string; markdown: string; nonce?: string }): string {
  const nonce = opts.nonce ?? randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'`;
  const body = opts.bodyHtml ?? `<pre>${escapeHtml(opts.markdown)}</pre>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<title>Rule ${escapeHtml(opts.code)}</title>
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); padding: 0 20px; max-width: 60em; line-height: 1.5; }
code, pre { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); }
code { padding: 1px 3px; border-radius: 3px; }
pre { padding: 8px; overflow-x: auto; }
.rule-kicker { color: var(--vscode-descriptionForeground); margin-top: 16px; }
</style>
</head>
<body>
<div class="rule-kicker">XDP Metadata check rule</div>
<div id="rule" data-rule="${escapeHtml(opts.code)}">
${body}
</div>
</body>
</html>
`;
}
