import * as assert from 'node:assert/strict';
import { makeNonce, webviewHtml } from '../../../src/extension/panels/webview-html';

describe('webviewHtml (the panels\' HTML shell)', () => {
  const html = webviewHtml({
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    scriptUri: 'https://x/dist/webview/verifier-log.js',
    styleUri: 'https://x/dist/webview/verifier-log.css',
    codiconUri: 'https://x/dist/webview/codicons/codicon.css',
    title: 'a <log> "title"',
    nonce: 'abc123',
  });

  it('sets a nonce CSP with no inline or eval, local resources only', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'/);
    assert.match(csp, /style-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net(;|$)/);
    assert.match(csp, /font-src https:\/\/file\+\.vscode-resource\.vscode-cdn\.net/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  it('gives every script the nonce, links the codicons by the id vscode-elements looks for, escapes the title', () => {
    const scripts = html.match(/<script[^>]*>/g)!;
    assert.ok(scripts.every((s) => s.includes('nonce="abc123"')));
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/dist\/webview\/codicons\/codicon.css" id="vscode-codicon-stylesheet">/);
    assert.match(html, /<title>a &lt;log&gt; &quot;title&quot;<\/title>/);
    assert.doesNotMatch(html, /style="/);
  });

  it('makes a fresh alphanumeric nonce each time', () => {
    const a = makeNonce();
    assert.match(a, /^[A-Za-z0-9]{16,}$/);
    assert.notEqual(a, makeNonce());
  });
});
