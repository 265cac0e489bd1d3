// Headless Chromium test of the verifier log viewer over a 2,000,000-line log paged by the real session.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { openLogFile } from '../../src/extension/panels/verifier-log-core';
import { VerifierLogSession } from '../../src/extension/panels/verifier-log-session';
import type { VerifierLogFromWebview } from '../../src/shared/webview-protocol';
import { requirePrereq } from '../helpers/prereq';
import { syntheticLog } from './gen-log';
import { buildWebviews, CACHE, hasChromium, type Harness, launch, openPage, serve } from './harness';

const LINES = 2_000_000;

describe('verifier log viewer in Chromium (2M lines)', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let harness: Harness | undefined;
  let session: VerifierLogSession;
  let page: Page;
  let errors: string[];
  const received: VerifierLogFromWebview[] = [];

  before(async function () {
    requirePrereq(this, hasChromium(), 'chromium at /usr/bin/chromium');
    const file = syntheticLog(LINES);
    const t0 = Date.now();
    const doc = await openLogFile(file);
    console.log(`      parsed ${LINES.toLocaleString()} lines in ${Date.now() - t0} ms`);
    session = new VerifierLogSession(doc, `file://${file}`, path.basename(file));
    await buildWebviews();
    harness = await serve();
    browser = await launch();
    ({ page, errors } = await openPage(browser, harness, 'verifier-log', (m) => {
      const msg = m as VerifierLogFromWebview;
      received.push(msg);
      return msg.type === 'ready' ? session.init(msg.state) : session.handle(msg);
    }));
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  const loadedRows = (p: Page) =>
    p.$$eval('.vrow:not([hidden])', (rows) =>
      rows.map((r) => ({ line: Number((r as HTMLElement).dataset.line), cls: r.className, text: r.textContent ?? '' })),
    );

  it('renders the error first and the rows around it', async () => {
    await page.waitForSelector('.error-card .error-message');
    const msg = await page.textContent('.error-card .error-message');
    assert.match(msg!, /invalid access to packet/);
    await page.waitForFunction(() => document.querySelectorAll('.vrow:not([hidden]):not(.k-loading)').length > 10);
    const rows = await loadedRows(page);
    const err = session.doc.error!;
    assert.ok(rows.some((r) => r.line === err.insnRow), `the failing instruction is in view: ${rows.map((r) => r.line).join(',')}`);
    assert.ok(rows.some((r) => r.cls.includes('k-error')), 'the error line is in view');
    assert.ok(rows.length < 200, `only visible rows are in the DOM (${rows.length})`);
  });

  it('scrolls to the start and back to the end of 2M lines; the spacer stays under the browser limit', async () => {
    await page.focus('.vlist');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('.vrow[data-line="0"]:not(.k-loading)') !== null);
    await page.keyboard.press('End');
    await page.waitForFunction(
      (last) => document.querySelector(`.vrow[data-line="${last}"]:not(.k-loading)`) !== null,
      LINES - 1,
    );
    const lastText = await page.textContent(`.vrow[data-line="${LINES - 1}"] .text`);
    assert.match(lastText!, /^processed 1000000 insns/);
    const spacer = await page.$eval('.vlist', (e) => e.scrollHeight);
    assert.ok(spacer < 33_000_000 && spacer > 1_000_000, `scroll height ${spacer}`);
    // A drag of the scrollbar to the middle lands in the middle of the log.
    await page.$eval('.vlist', (e) => {
      e.scrollTop = (e.scrollHeight - e.clientHeight) / 2;
    });
    await page.waitForFunction(() => {
      const r = document.querySelector('.vrow:not([hidden]):not(.k-loading)') as HTMLElement | null;
      return r !== null && Math.abs(Number(r.dataset.line) - 1_000_000) < 1000;
    });
    const gets = received.filter((m) => m.type === 'getRows');
    assert.ok(gets.every((m) => m.type === 'getRows' && m.to - m.from <= 256), 'pages, never the whole log');
  });

  it('scrolls smoothly: a frame per wheel step, pages arrive while scrolling (figures printed)', async () => {
    const box = (await page.$('.vlist'))!;
    const b = (await box.boundingBox())!;
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    // A string, not a function: tsx would wrap named functions in a helper the page does not have.
    const frames = await page.evaluate(`(() => {
      const times = [];
      let last = performance.now();
      let on = true;
      function tick(t) { times.push(t - last); last = t; if (on) requestAnimationFrame(tick); }
      requestAnimationFrame(tick);
      window.__stopFrames = () => { on = false; return times; };
      return 0;
    })()`);
    assert.equal(frames, 0);
    const t0 = Date.now();
    for (let i = 0; i < 120; i++) await page.mouse.wheel(0, 400); // 120 notches in the scaled region
    const times = await page.evaluate(() => (window as unknown as { __stopFrames: () => number[] }).__stopFrames());
    const wall = Date.now() - t0;
    const sorted = [...times].sort((a, b) => a - b);
    const p95 = sorted[Math.floor(sorted.length * 0.95)];
    console.log(`      wheel: 120 notches in ${wall} ms, ${times.length} frames, p95 frame interval ${p95.toFixed(1)} ms`);
    assert.ok(p95 < 100, `p95 frame interval ${p95} ms`);
    await page.waitForFunction(() => document.querySelectorAll('.vrow:not([hidden]).k-loading').length === 0);
    const top = Number(await page.$eval('.vrow:not([hidden])', (r) => (r as HTMLElement).dataset.line));
    assert.ok(top > 1_000_000 + 120 * 400 / 20 - 100, `wheel moved by content pixels, not scaled ones (top ${top})`);
  });

  it('a click on a register asks for its trace and jumps to where it was written', async () => {
    // Line of an `r3 += 4` row in the middle of the log: r3 was written by `r3 = r1` just above.
    const target = await page.$eval('.vlist', (list) => {
      const box = list.getBoundingClientRect();
      const rows = Array.from(document.querySelectorAll<HTMLElement>('.vrow:not([hidden])'));
      const row = rows.find((r) => {
        const b = r.getBoundingClientRect();
        return r.textContent?.includes('r3 += 4') && b.top > box.top + 40 && b.bottom < box.bottom - 40;
      })!;
      return Number(row.dataset.line);
    });
    await page.click(`.vrow[data-line="${target}"] .slot[data-slot="r3"]`);
    await page.waitForSelector('.trace-bar:not([hidden]) .trace-link');
    const posted = await page.evaluate(() => (window as unknown as { __posted: Array<Record<string, unknown>> }).__posted);
    const trace = posted.filter((m) => m.type === 'trace').pop()!;
    assert.equal(trace.row, target);
    assert.equal(trace.slot, 'r3');
    // The write of r3 at `8: r3 += 4` is this row; the chain goes on to `7: r3 = r1` then `6: r1 = *(u32 *)(r6 +8)`.
    const expected = session.doc.trace(target, 'r3');
    assert.deepEqual(expected.chain.map((l) => l.insn), [8, 7, 6]);
    const links = await page.$$eval('.trace-link', (ls) => ls.map((l) => l.textContent));
    assert.equal(links.length, 3);
    assert.match(links[1]!, /r3 written at insn 7/);
    assert.match(links[2]!, /r1 written at insn 6 = pkt_meta/);
    await page.click('.trace-link >> nth=2');
    await page.waitForSelector(`.vrow.selected[data-line="${expected.chain[2].row}"]`);
  });

  it('a click on a source line asks the extension to open the C file there', async () => {
    const src = page.locator('.vrow .src-link').first();
    await src.click();
    const posted = await page.evaluate(() => (window as unknown as { __posted: Array<Record<string, unknown>> }).__posted);
    const open = posted.filter((m) => m.type === 'openSource').pop()!;
    assert.equal(open.file, 'meta_short_check.bpf.c');
    assert.ok([8, 12, 13, 17].includes(open.line as number));
  });

  it('searches, jumps between branch states, folds explored states, and keeps state', async () => {
    await page.fill('.search >> input', 'goto pc+9');
    await page.press('.search >> input', 'Enter');
    await page.waitForFunction(() => document.querySelector('.search-info')?.textContent === '');
    await page.waitForSelector('.vrow.selected');
    const sel = Number(await page.getAttribute('.vrow.selected', 'data-line'));
    assert.match(session.doc.rows(sel, sel + 1)[0].text, /goto pc\+9/);
    await page.click('vscode-toolbar-button[label="Next branch state"]');
    await page.waitForFunction(() => document.querySelector('.vrow.selected .text')?.textContent?.startsWith('from 4 to 14'));
    const before = await page.$eval('.vlist', (e) => e.scrollHeight);
    await page.click('vscode-checkbox');
    await page.waitForFunction((b) => document.querySelector('.vlist')!.scrollHeight < b || document.querySelector('.folded') !== null, before);
    await page.waitForSelector('.folded');
    await page.waitForSelector('body:not([data-state-pending])', { state: 'attached' });
    const state = await page.evaluate(() => (window as unknown as { __state: Record<string, unknown> }).__state);
    assert.equal(state.collapseExplored, true);
    assert.equal(state.query, 'goto pc+9');
    assert.equal(typeof state.topRow, 'number');
    await page.screenshot({ path: path.join(CACHE, 'verifier-log.png') });
  });

  it('restores its state after a reload', async () => {
    const state = await page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    const again = await openPage(browser!, harness!, 'verifier-log', (m) => {
      const msg = m as VerifierLogFromWebview;
      return msg.type === 'ready' ? session.init(msg.state) : session.handle(msg);
    }, state);
    await again.page.waitForSelector('.folded');
    const checked = await again.page.$eval('vscode-checkbox', (c) => (c as unknown as { checked: boolean }).checked);
    assert.equal(checked, true);
    const top = Number(await again.page.$eval('.vrow:not([hidden])', (r) => (r as HTMLElement).dataset.line));
    assert.ok(Math.abs(top - (state as { topRow: number }).topRow) < 50, `top ${top}`);
    await again.page.close();
  });

  it('raised no page or CSP errors', () => {
    assert.deepEqual(errors, []);
  });
});

describe('verifier log viewer in Chromium (a real kernel log, explained)', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let harness: Harness | undefined;

  before(async function () {
    requirePrereq(this, hasChromium(), 'chromium at /usr/bin/chromium');
    await buildWebviews();
    harness = await serve();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('shows the explanation, the register history and the fix above the log', async () => {
    const file = path.join(__dirname, '../extension/panels/fixtures/meta_short_check.vlog');
    const s = new VerifierLogSession(await openLogFile(file), `file://${file}`, 'meta_short_check.vlog');
    const { page, errors } = await openPage(browser!, harness!, 'verifier-log', (m) => {
      const msg = m as VerifierLogFromWebview;
      return msg.type === 'ready' ? s.init(msg.state) : s.handle(msg);
    });
    await page.waitForSelector('.error-card .explanation');
    assert.equal(await page.textContent('.error-title'), 'Metadata access beyond the proven range');
    assert.match((await page.textContent('.error-card .fix'))!, /cover all 8 bytes/);
    assert.match((await page.textContent('.error-history'))!, /insn 6: r1 = \*\(u32 \*\)\(r6 \+8\)/);
    await page.waitForSelector('.vrow.selected.k-insn');
    assert.equal(await page.getAttribute('.vrow.selected', 'data-line'), '34');
    await page.click('.error-history .history-link');
    await page.waitForSelector('.vrow.selected[data-line="27"]');
    await page.screenshot({ path: path.join(CACHE, 'verifier-log-explained.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
