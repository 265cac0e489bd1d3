// The installed VSIX's main flows in code-server: doctor, each template, a rule link, Run on Host over sshd into a netns, Stop.
import { strict as assert } from 'node:assert';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { hasClang } from '../helpers/clang';
import { createVethNs, waitClean, type VethNs } from '../helpers/netns';
import { isRoot, requirePrereq } from '../helpers/prereq';
import { hasSshd, startSshd, type TestSshd } from '../helpers/sshd';
import {
  CHROMIUM, installCodeServer, installVsix, launchChromium, openPalette, openWorkbench, productShot, QUIET_SETTINGS, ROOT, runCommand, screenshot, startCodeServer, type CodeServer,
} from './code-server';

const TEMPLATES = readdirSync(path.join(ROOT, 'bpf-templates')).filter((n) => existsSync(path.join(ROOT, 'bpf-templates', n, 'README.md'))).sort();
const HOST_NAME = 'e2e-host';
const OUR_PROGS = ['xdp_write_meta', 'tc_read_meta'];

describe('e2e: the installed VSIX drives the main flows', function () {
  this.timeout(240_000);
  let tmp: string;
  let ws: string;
  let installed: string;
  let sshd: TestSshd | undefined;
  let net: VethNs | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;

  before(async function () {
    requirePrereq(this, existsSync(CHROMIUM), `${CHROMIUM} (Debian package chromium)`);
    requirePrereq(this, hasClang(), 'clang-19');
    requirePrereq(this, isRoot, 'root (BPF, a network namespace, sshd)');
    requirePrereq(this, hasSshd(), '/usr/sbin/sshd and the OpenSSH client');
    const bin = installCodeServer();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'e2e-flows-'));
    installed = installVsix(bin, path.join(tmp, 'extensions'));
    ws = path.join(tmp, 'ws');
    mkdirSync(ws);
    // A *.bpf.c in the folder activates the extension at startup (workspaceContains).
    cpSync(path.join(ROOT, 'test/fixtures/verifier/meta_no_bounds.bpf.c'), path.join(ws, 'meta_no_bounds.bpf.c'));
    sshd = await startSshd();
    net = createVethNs();
    // ssh reads ~/.ssh/config from the passwd entry, not $HOME: the extension finds the test host
    // through an `ssh` first on PATH that adds the test's config (aliases, pinned known_hosts, key).
    const wrap = path.join(tmp, 'bin');
    mkdirSync(wrap);
    writeFileSync(path.join(wrap, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${sshd.configFile}' "$@"\n`);
    chmodSync(path.join(wrap, 'ssh'), 0o755);
    server = await startCodeServer(bin, { userData: path.join(tmp, 'user-data'), extensions: path.join(tmp, 'extensions') }, {
      ...QUIET_SETTINGS, 'security.workspace.trust.enabled': false, 'files.simpleDialog.enable': true,
      'xdpMeta.remote.hosts': [{ name: HOST_NAME, host: sshd.alias, defaultInterface: net.hostIf }],
    }, {
      // VSCODE_CLI: the server then keeps this environment instead of a login shell's (which resets PATH).
      env: { ...process.env, PATH: `${wrap}:${process.env.PATH ?? ''}`, VSCODE_CLI: '1' },
    });
    browser = await launchChromium();
    page = await openWorkbench(browser, server, ws);
  });

  afterEach(async function () {
    const t = this.currentTest;
    if (t?.state === 'failed') await screenshot(page, t.fullTitle());
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (net) {
      const left = await waitClean(net.hostIf, OUR_PROGS);
      net.destroy();
      assert.deepEqual(left, [], 'nothing of the run is left attached or loaded after code-server stopped');
    }
    await sshd?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const p = (): Page => page!;
  const toast = (text: string | RegExp) => p().locator('.notification-toast', { hasText: text }).first();
  const quickRow = (text: string | RegExp) => p().locator('.quick-input-list .monaco-list-row', { hasText: text }).first();

  /** Waits until the simple file dialog's input shows `want` (it opens at the workspace folder). */
  async function waitValue(want: string): Promise<void> {
    await p().waitForFunction((w) => document.querySelector<HTMLInputElement>('.quick-input-widget input.input')?.value === w, want, { timeout: 15_000 });
  }

  async function openFromExplorer(...names: string[]): Promise<void> {
    for (const n of names) await p().locator('.explorer-folders-view .monaco-list-row', { hasText: new RegExp(`^${n.replace(/\./g, '\\.')}$`) }).first().click({ timeout: 30_000 });
    await p().locator('.tab.active', { hasText: names[names.length - 1] }).first().waitFor({ timeout: 15_000 });
  }

  it('runs from the installed copy, which holds the capture wrapper and everything it includes', () => {
    for (const f of ['agent/xdp-meta-capture.bpf.h', 'agent/capture.h', 'dist/cli.js', 'dist/server.js', 'docs/rules.md', 'readme.md']) {
      assert.ok(existsSync(path.join(installed, f)), `${f} in ${installed}`);
    }
  });

  it('Check Toolchain (doctor) lists each prerequisite with a verdict', async () => {
    await runCommand(p(), 'XDP Metadata: Check Toolchain (doctor)');
    await p().locator('.quick-input-widget', { hasText: /toolchain — \d+ ok/ }).waitFor({ timeout: 90_000 });
    for (const title of ['clang', 'kernel BTF', 'bpffs']) await quickRow(title).waitFor({ timeout: 5000 });
    await productShot(p(), 'doctor');
    await p().keyboard.press('Escape');
  });

  for (const [i, name] of TEMPLATES.entries()) {
    it(`New Project from Template: ${name} is copied into the workspace`, async () => {
      await runCommand(p(), 'XDP Metadata: New Project from Template');
      await quickRow(name).waitFor({ timeout: 30_000 });
      if (i === 0) await productShot(p(), 'template');
      await p().locator('.quick-input-widget input.input').fill(name);
      await quickRow(name).waitFor({ timeout: 5000 });
      await p().keyboard.press('Enter');
      // The simple folder dialog opens at the workspace folder: accept it as the parent.
      await p().locator('.quick-input-widget', { hasText: 'Create Project Here' }).waitFor({ timeout: 15_000 });
      // It fills its input itself, asynchronously: typing before it settles appends to its text.
      await waitValue(`${ws}/`);
      await p().locator('.quick-input-widget .monaco-button', { hasText: 'Create Project Here' }).first().click();
      await toast(`in ${path.join(ws, name)}`).waitFor({ timeout: 30_000 });
      for (const f of readdirSync(path.join(ROOT, 'bpf-templates', name)).filter((n) => !n.endsWith('.o'))) {
        assert.ok(existsSync(path.join(ws, name, f)), `${name}/${f} copied`);
      }
      await runCommand(p(), 'Notifications: Clear All Notifications');
    });
  }

  it('a meta-bounds diagnostic links to its rule, rendered in a help panel at that rule', async () => {
    await openFromExplorer('meta_no_bounds.bpf.c');
    await runCommand(p(), 'View: Focus Problems');
    const row = p().locator('.markers-panel .monaco-list-row', { hasText: 'is not proven to lie within data_meta..data' }).first();
    await row.waitFor({ timeout: 90_000 });
    await row.locator('a', { hasText: 'meta-bounds' }).first().click();
    const help = p().frameLocator('iframe.webview').frameLocator('#active-frame');
    await help.locator('#rule[data-rule="meta-bounds"] h2', { hasText: 'meta-bounds' }).waitFor({ timeout: 30_000 });
    // Rendered markdown (not raw text at line 1 of docs/rules.md): code spans are <code>, the next rule is not there.
    assert.ok(await help.locator('#rule code', { hasText: 'data_meta' }).count() > 0);
    assert.equal(await help.locator('#rule h2', { hasText: 'meta-layout-mismatch' }).count(), 0);
    assert.equal(await p().locator('.tab', { hasText: 'rules.md' }).count(), 0);
    await productShot(p(), 'diagnostics');
    await runCommand(p(), 'View: Close All Editors');
  });

  it('Run on Host: selects the sshd host, attaches over SSH, shows decoded rows live, Stop detaches', async () => {
    await runCommand(p(), 'XDP Metadata: Select Target');
    await quickRow(HOST_NAME).waitFor({ timeout: 15_000 });
    await p().locator('.quick-input-widget input.input').fill(HOST_NAME);
    await p().keyboard.press('Enter');
    await p().locator('.statusbar-item', { hasText: `XDP: ${HOST_NAME}` }).first().waitFor({ timeout: 60_000 });

    await openFromExplorer('tc-meta-magic', 'tc_meta_magic.bpf.c');
    await runCommand(p(), 'XDP Metadata: Run on Host');
    const live = p().frameLocator('iframe.webview').frameLocator('#active-frame');
    await live.locator('.status-line.state-running').waitFor({ timeout: 120_000 });
    net!.sendUdp(8);
    // The value xdp_write_meta writes first (META_MAGIC), decoded from data_meta as a field.
    const decoded = live.locator('.live-row.v-xdp_pass .c-fields', { hasText: '=3237998146 (0xc0ffee42)' }).first();
    await decoded.waitFor({ timeout: 30_000 });
    assert.match(await live.locator('.status-line').innerText(), /xdp_write_meta|running|attached/i);
    await productShot(p(), 'live-capture');

    await live.locator('vscode-button', { hasText: 'Stop' }).click();
    await live.locator('.status-line.state-stopped').waitFor({ timeout: 30_000 });
    assert.deepEqual(await waitClean(net!.hostIf, OUR_PROGS), [], 'Stop leaves nothing attached');
  });
});
