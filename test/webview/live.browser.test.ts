// Headless Chromium test of the live capture view: batched rows, counters, rate plot, pause, filter, clear, stop.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { RowBatcher } from '../../src/extension/panels/live-batcher';
import type { LiveFromWebview, LiveRow, LiveToWebview } from '../../src/shared/webview-protocol';
import { requirePrereq } from '../helpers/prereq';
import { buildWebviews, CACHE, hasChromium, type Harness, launch, openPage, serve } from './harness';

const VERDICTS = ['XDP_PASS', 'XDP_PASS', 'XDP_PASS', 'XDP_DROP', 'XDP_TX'];

function row(i: number, ts: number): LiveRow {
  const verdict = VERDICTS[i % VERDICTS.length];
  const mark = 0xcafe0000 + (i % 7);
  const hash = (i * 2654435761) >>> 0;
  const hex = Buffer.alloc(8);
  hex.writeUInt32LE(mark, 0);
  hex.writeUInt32LE(hash, 4);
  return {
    ts, ifindex: 7, ifname: 'xdpm-veth0', queue: i % 2, verdict, meta_len: 8, meta_hex: hex.toString('hex'),
    struct: 'meta', fields: { mark, rx_hash: hash },
  };
}

describe('live capture view in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let harness: Harness | undefined;
  let page: Page;
  let errors: string[];
  const fromView: LiveFromWebview[] = [];
  const send = (m: LiveToWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m);

  before(async function () {
    requirePrereq(this, hasChromium(), 'chromium at /usr/bin/chromium');
    await buildWebviews();
    harness = await serve();
    browser = await launch();
    ({ page, errors } = await openPage(browser, harness, 'live', (m) => {
      fromView.push(m as LiveFromWebview);
      return undefined;
    }));
    await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
    await send({ type: 'config', title: 'Live: meta_rx on xdpm-veth0', capacity: 2000 });
    await send({
      type: 'status',
      status: {
        state: 'running', message: 'Capturing on xdpm-veth0', target: '127.0.0.1 · xdpm-veth0 (ifindex 7) · meta_rx · xdp, native',
        mechanism: 'compile-time-wrapper', blindSpots: ['packets dropped before the program runs'],
      },
    });
  });

  after(async () => {
    await browser?.close();
    await harness?.close();
  });

  it('shows batched rows (ring of 2000), verdict counters exact also for rows it skipped', async () => {
    // 30 s of traffic at 1000 rows/s through the real batcher (at most 5000 rows a message).
    const batches: Array<{ rows: LiveRow[]; skipped?: Record<string, number> }> = [];
    const b = new RowBatcher<LiveRow>((rows, skipped) => batches.push({ rows, skipped }), 5000, 100, {
      setTimeout: () => 1,
      clearTimeout: () => undefined,
    });
    const t0 = Date.now() / 1000 - 30;
    for (let s = 0; s < 30; s++) {
      const rows: LiveRow[] = [];
      for (let k = 0; k < 1000; k++) rows.push(row(s * 1000 + k, t0 + s + k / 1000));
      b.push(rows);
      if (s % 10 === 9) b.flush();
    }
    b.flush();
    assert.ok(batches.some((x) => x.skipped), 'the batcher folded some rows into counts');
    for (const x of batches) await send({ type: 'rows', ...x });
    await page.waitForFunction(() => document.querySelector('.counter.total strong')?.textContent === '30,000');
    const counts = await page.$$eval('.counter.verdict', (es) => es.map((e) => e.textContent));
    assert.deepEqual(counts, ['PASS 18,000', 'DROP 6,000', 'TX 6,000']);
    // The ring keeps 2000 rows; the view follows the newest.
    await page.waitForFunction(() => document.querySelectorAll('.live-list .vrow:not([hidden])').length > 5);
    const last = await page.$$eval('.live-list .vrow:not([hidden]) .c-fields', (es) => es.map((e) => e.textContent).pop());
    assert.match(last!, /mark=3405643782|mark=34056437/);
  });

  it('filters, pauses (holding new rows), resumes and clears', async () => {
    await page.fill('.filter >> input', 'verdict=drop');
    await page.waitForFunction(() => /of 2,000 rows match/.test(document.querySelector('.paused-info')?.textContent ?? ''));
    const verdicts = await page.$$eval('.live-list .vrow:not([hidden]) .c-verdict', (es) => [...new Set(es.map((e) => e.textContent))]);
    assert.deepEqual(verdicts, ['XDP_DROP']);
    await page.click('vscode-button:has-text("Pause")');
    await send({ type: 'rows', rows: [row(5 * 7 + 3, Date.now() / 1000)] });
    await page.waitForFunction(() => /Paused — 1 new rows held/.test(document.querySelector('.paused-info')?.textContent ?? ''));
    await page.screenshot({ path: path.join(CACHE, 'live-paused.png') });
    await page.click('vscode-button:has-text("Resume")');
    await page.fill('.filter >> input', '');
    await page.click('vscode-button:has-text("Clear")');
    await page.waitForFunction(() => document.querySelector('.counter.total strong')?.textContent === '0');
    assert.equal(await page.$$eval('.live-list .vrow:not([hidden])', (es) => es.length), 0);
  });

  it('plots the rate and says when Stop detached the program', async () => {
    const now = Date.now() / 1000;
    const rows: LiveRow[] = [];
    for (let s = 0; s < 20; s++) for (let k = 0; k < 50 + 20 * s; k++) rows.push(row(k, now - 20 + s + k / 1000));
    await send({ type: 'rows', rows });
    await send({ type: 'status', status: { state: 'running', message: 'Capturing on xdpm-veth0', counters: { seen: 5000, captured: 4500, sampled_out: 0, rate_limited: 500, ringbuf_full: 0 } } });
    await page.waitForFunction(() => /not captured 500/.test(document.querySelector('.counters')?.textContent ?? ''));
    const painted = await page.$eval('canvas.rate-plot', (c) => {
      const g = (c as HTMLCanvasElement).getContext('2d')!;
      const d = g.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(painted > 200, `the plot has bars (${painted} pixels)`);
    await page.click('vscode-button:has-text("Stop")');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'stop'));
    assert.ok(fromView.some((m) => m.type === 'stop'));
    await send({ type: 'status', status: { state: 'stopped', message: 'Stopped: meta_rx was detached from xdpm-veth0 on 127.0.0.1 and unloaded. 1,330 rows captured.' } });
    await page.waitForFunction(() => /detached from xdpm-veth0/.test(document.querySelector('.status-line')?.textContent ?? ''));
    const disabled = await page.$eval('vscode-button:has-text("Stopped")', (b) => (b as unknown as { disabled: boolean }).disabled);
    assert.equal(disabled, true);
    await page.screenshot({ path: path.join(CACHE, 'live.png') });
  });

  it('keeps "cannot see" behind an info icon, shows full cells in tooltips, and offers Restart when the panel can', async () => {
    await send({ type: 'status', status: { state: 'running', message: 'Capturing on xdpm-veth0', mechanism: 'compile-time-wrapper',
      blindSpots: ['packets the driver drops before the XDP hook', 'what happens after the verdict'], canRestart: true } });
    await page.waitForFunction(() => /cannot see \(2\)/.test(document.querySelector('.blind-spots summary')?.textContent ?? ''));
    assert.equal(await page.$eval('details.blind-spots', (d) => (d as HTMLDetailsElement).open), false, 'collapsed by default');
    const closed = await page.$eval('details.blind-spots', (d) => (d as HTMLElement).getBoundingClientRect().height);
    const line = await page.$eval('details.blind-spots summary', (d) => (d as HTMLElement).getBoundingClientRect().height);
    assert.equal(closed, line, 'one line while closed');
    await page.click('.blind-spots summary');
    assert.ok(await page.$eval('details.blind-spots', (d) => (d as HTMLElement).getBoundingClientRect().height) > closed + 10);
    await send({ type: 'rows', rows: [row(1, Date.now() / 1000)] });
    await page.waitForFunction(() => !!document.querySelector('.live-list .vrow .c-hex[title]'));
    await page.click('vscode-button:has-text("Restart")');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ type: string }> }).__posted.some((m) => m.type === 'restart'));
  });

  it('raised no page or CSP errors', () => {
    assert.deepEqual(errors, []);
  });
});
