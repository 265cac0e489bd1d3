// Rule links from diagnostics: open the rule rendered in a help panel, at its own section, not raw docs/rules.md at line 1.
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Ctx } from './ctx';
import { isRuleCode, ruleHelpHtml, ruleSection } from './rule-doc';

/** Internal command behind the rule links (`command:` URIs in diagnostics); takes the rule code. */
export const SHOW_RULE_COMMAND = 'xdpMeta.showRule';
export const RULE_HELP_VIEW_TYPE = 'xdpMeta.ruleHelp';

let panel: vscode.WebviewPanel | undefined;

export function activate(ctx: Ctx): void {
  ctx.pushCleanup(vscode.commands.registerCommand(SHOW_RULE_COMMAND, (code: unknown) => showRule(ctx, String(code ?? ''))));
}

/** The `command:` link a diagnostic's code carries instead of the server's file URL of docs/rules.md. */
export function ruleLink(code: string): vscode.Uri {
  return vscode.Uri.parse(`command:${SHOW_RULE_COMMAND}?${encodeURIComponent(JSON.stringify([code]))}`);
}

/**
 * Rewrites the server's `file:…/docs/rules.md#code` rule links (right for any LSP client) into links
 * that open the help panel (VS Code would open the raw markdown at line 1).
 */
export function rewriteRuleLinks(diagnostics: vscode.Diagnostic[]): vscode.Diagnostic[] {
  for (const d of diagnostics) {
    const c = d.code;
    if (typeof c !== 'object' || !c.target) continue;
    if (c.target.scheme !== 'file' || !c.target.path.endsWith('/docs/rules.md') || !isRuleCode(c.target.fragment)) continue;
    d.code = { value: c.value, target: ruleLink(c.target.fragment) };
  }
  return diagnostics;
}

export async function showRule(ctx: Ctx, code: string): Promise<void> {
  const doc = ctx.asset('docs/rules.md');
  let markdown: string;
  try {
    markdown = readFileSync(doc, 'utf8');
  } catch (e) {
    ctx.showError(`reading the rule descriptions (${doc})`, e);
    return;
  }
  const section = ruleSection(markdown, code);
  if (!section) {
    void vscode.window.showWarningMessage(`XDP Metadata: no rule named '${code}' in docs/rules.md.`);
    return;
  }
  let bodyHtml: string | undefined;
  try {
    // The built-in markdown extension's renderer: the same output as its preview, sanitised.
    bodyHtml = await vscode.commands.executeCommand<string>('markdown.api.render', section);
  } catch (e) {
    ctx.output.warn(`markdown.api.render is unavailable (${String(e)}): showing the rule as text`);
  }
  if (!panel) {
    panel = vscode.window.createWebviewPanel(RULE_HELP_VIEW_TYPE, `Rule: ${code}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: false, localResourceRoots: [] });
    panel.onDidDispose(() => { panel = undefined; });
  }
  panel.title = `Rule: ${code}`;
  panel.webview.html = ruleHelpHtml({ code, bodyHtml: typeof bodyHtml === 'string' ? bodyHtml : undefined, markdown: section });
  panel.reveal(vscode.ViewColumn.Beside, true);
}
