// Live capture webview: status header, verdict counters, rate plot, pause/clear/filter/stop, virtualised rows.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import './style.css';
import type { LiveFromWebview, LiveRow, LiveStatus, LiveToWebview } from '../../src/shared/webview-protocol';
import { measureRowHeight, VirtualList } from '../shared/virtual-list';
import { el, icon } from '../shared/dom';
import { vscodeApi } from '../shared/vscode-api';
import { LiveModel } from './model';
import { formatRate, RatePlot } from './plot';

const api = vscodeApi<{ filter: string; paused: boolean }>();
const post = (m: LiveFromWebview): void => api.postMessage(m);

type Button = HTMLElement & { disabled: boolean; icon: string; secondary: boolean };

class LiveView {
  private model = new LiveModel(10_000);
  private readonly app = document.getElementById('app')!;
  private readonly statusLine = el('div', 'status-line');
  /** Mechanism and "cannot see", collapsed behind an info icon (one line while closed). */
  private readonly blind = el('details', 'blind-spots');
  private readonly counters = el('div', 'counters');
  private readonly plot = new RatePlot();
  private readonly filterBox = el('vscode-textfield', 'filter') as HTMLElement & { value: string };
  private readonly pauseBtn = el('vscode-button') as Button;
  private readonly clearBtn = el('vscode-button') as Button;
  private readonly stopBtn = el('vscode-button') as Button;
  private readonly restartBtn = el('vscode-button') as Button;
  private readonly pausedInfo = el('span', 'paused-info');
  private readonly list: VirtualList;
  private status?: LiveStatus;
  private dirty = false;
  private head?: HTMLDivElement;

  constructor() {
    this.list = new VirtualList(measureRowHeight(), { renderRow: (e, i) => this.renderRow(e, i) });
    this.list.follow = true;
    this.list.root.classList.add('live-list');
  }

  start(): void {
    const saved = api.getState();
    this.build();
    if (saved) {
      this.filterBox.value = saved.filter ?? '';
      this.model.setFilter(this.filterBox.value);
      this.setPaused(saved.paused === true);
    }
    window.addEventListener('message', (e: MessageEvent<LiveToWebview>) => this.onMessage(e.data));
    window.setInterval(() => this.refreshStats(), 1000);
    post({ type: 'ready' });
  }

  private build(): void {
    const header = el('div', 'live-header');
    const left = el('div', 'live-header-left');
    left.append(this.statusLine, this.blind, this.counters);
    header.append(left, this.plot.canvas);

    const bar = el('div', 'toolbar');
    this.filterBox.setAttribute('placeholder', 'Filter: pass, verdict=drop, mark!=0, hash>100, -tx');
    this.filterBox.addEventListener('input', () => {
      this.model.setFilter(this.filterBox.value);
      this.refreshRows();
      this.saveState();
    });
    const setup = (b: Button, label: string, iconName: string, fn: () => void): void => {
      b.textContent = label;
      b.icon = iconName;
      b.secondary = true;
      b.addEventListener('click', fn);
    };
    setup(this.pauseBtn, 'Pause', 'debug-pause', () => this.setPaused(!this.model.paused));
    setup(this.clearBtn, 'Clear', 'clear-all', () => {
      this.model.clear();
      this.refreshRows();
      this.refreshStats();
    });
    setup(this.stopBtn, 'Stop', 'debug-stop', () => {
      this.stopBtn.disabled = true;
      post({ type: 'stop' });
    });
    setup(this.restartBtn, 'Restart', 'debug-restart', () => {
      this.restartBtn.disabled = true;
      post({ type: 'restart' });
    });
    this.restartBtn.hidden = true;
    this.stopBtn.secondary = false;
    bar.append(this.filterBox, this.pauseBtn, this.clearBtn, this.pausedInfo, el('span', 'spacer'), this.restartBtn, this.stopBtn);

    const head = (this.head = el('div', 'live-row live-head'));
    for (const c of ['Time', 'Interface', 'Queue', 'Verdict', 'Decoded fields', 'data_meta (hex)']) head.append(el('span', '', c));
    this.app.textContent = '';
    this.app.append(header, bar, head, this.list.root);
    this.setStatus({ state: 'starting', message: 'Waiting for the capture to start…' });
  }

  private onMessage(m: LiveToWebview): void {
    switch (m.type) {
      case 'config':
        document.title = m.title;
        if (m.capacity !== this.model.capacity) {
          const filter = this.model.filter;
          const paused = this.model.paused;
          this.model = new LiveModel(Math.max(100, m.capacity));
          this.model.setFilter(filter);
          this.model.paused = paused;
        }
        break;
      case 'rows':
        this.model.add(m.rows, m.skipped);
        this.scheduleRows();
        break;
      case 'status':
        this.setStatus(m.status);
        break;
    }
  }

  private setStatus(s: LiveStatus): void {
    this.status = s;
    this.statusLine.textContent = '';
    const ic = { starting: 'loading~spin', running: 'pulse', stopping: 'loading~spin', stopped: 'debug-stop', error: 'error' }[s.state];
    this.statusLine.className = `status-line state-${s.state}`;
    this.statusLine.append(icon(ic), el('span', 'status-text', s.message));
    if (s.target) this.statusLine.append(el('span', 'target', s.target));
    const open = (this.blind as HTMLDetailsElement).open;
    this.blind.textContent = '';
    if (s.mechanism) {
      const summary = el('summary', 'mechanism');
      summary.append(icon('info'), el('span', '', ` Capture: ${s.mechanism}${s.blindSpots?.length ? ` — what it cannot see (${s.blindSpots.length})` : ''}`));
      this.blind.append(summary);
      if (s.blindSpots?.length) {
        const list = el('ul', 'blind');
        for (const b of s.blindSpots) list.append(el('li', '', b));
        this.blind.append(list);
      }
      (this.blind as HTMLDetailsElement).open = open;
    }
    const over = s.state === 'stopped' || s.state === 'error';
    this.stopBtn.disabled = over || s.state === 'stopping';
    if (over) this.stopBtn.textContent = 'Stopped';
    this.restartBtn.hidden = !s.canRestart;
    this.restartBtn.disabled = s.state === 'starting' || s.state === 'stopping';
    this.refreshStats();
  }

  private setPaused(p: boolean): void {
    this.model.setPaused(p);
    this.pauseBtn.textContent = p ? 'Resume' : 'Pause';
    this.pauseBtn.icon = p ? 'debug-continue' : 'debug-pause';
    this.list.follow = !p;
    this.refreshRows();
    this.saveState();
  }

  private saveState(): void {
    api.setState({ filter: this.filterBox.value, paused: this.model.paused });
  }

  private scheduleRows(): void {
    if (this.dirty) return;
    this.dirty = true;
    requestAnimationFrame(() => {
      this.dirty = false;
      this.refreshRows();
      this.refreshStats();
    });
  }

  private refreshRows(): void {
    const follow = this.list.follow || this.list.atEnd;
    this.list.follow = follow && !this.model.paused;
    this.list.setRowCount(this.model.visibleCount);
    if (this.list.follow) this.list.scrollToEnd();
    this.list.render();
    // Line the header's columns up with the rows, which lose the scrollbar's width.
    if (this.head) this.head.style.paddingRight = `${this.list.root.offsetWidth - this.list.root.clientWidth}px`;
    this.pausedInfo.textContent = this.model.paused
      ? `Paused — ${this.model.pendingCount.toLocaleString()} new rows held`
      : this.model.filter
        ? `${this.model.visibleCount.toLocaleString()} of ${this.model.ring.length.toLocaleString()} rows match`
        : '';
  }

  private refreshStats(): void {
    const c = this.model.counters;
    this.counters.textContent = '';
    const total = el('span', 'counter total');
    total.append(el('span', 'label', 'rows '), el('strong', '', c.total.toLocaleString()));
    this.counters.append(total);
    for (const [v, n] of c.entries()) {
      const b = el('span', `counter verdict v-${v.toLowerCase()}`);
      b.append(el('span', 'label', `${v.replace(/^XDP_|^TC_ACT_/, '')} `), el('strong', '', n.toLocaleString()));
      b.title = v;
      this.counters.append(b);
    }
    const k = this.status?.counters;
    if (k) {
      const dropped = k.sampled_out + k.rate_limited + k.ringbuf_full;
      const d = el('span', `counter dropped${dropped ? ' nonzero' : ''}`);
      d.append(el('span', 'label', 'not captured '), el('strong', '', dropped.toLocaleString()));
      // The agent reports once a second; say how many rows had arrived at that moment, so the numbers add up.
      const at = this.status?.rowsAtCounters;
      d.title = `At the agent's last report${at !== undefined ? ` (${at.toLocaleString()} rows received then)` : ''}: ` +
        `seen ${k.seen.toLocaleString()}, captured ${k.captured.toLocaleString()}, sampled out ${k.sampled_out.toLocaleString()}, ` +
        `rate limited ${k.rate_limited.toLocaleString()}, ring buffer full ${k.ringbuf_full.toLocaleString()}`;
      this.counters.append(d);
    }
    const rate = el('span', 'counter rate');
    rate.append(el('strong', '', formatRate(this.model.rate.current())), el('span', 'label', ' rows/s'));
    this.counters.append(rate);
    this.plot.draw(this.model.rate.series());
  }

  private renderRow(e: HTMLDivElement, i: number): void {
    const r = this.model.rowAt(i);
    if (!r) {
      e.textContent = '';
      return;
    }
    e.className = `vrow live-row v-${r.verdict.toLowerCase()}`;
    e.textContent = '';
    const fields = r.fields ? Object.entries(r.fields).map(([k, v]) => `${k}=${typeof v === 'number' && v > 255 ? `${v} (0x${v.toString(16)})` : v}`).join('  ') : '';
    const fieldsCell = el('span', 'c-fields', fields || (r.meta_len ? '(hex only)' : '(no metadata)'));
    const hexCell = el('span', 'c-hex', groupHex(r.meta_hex));
    // Cells cut at the panel's width keep their full text in the tooltip.
    if (fields) fieldsCell.title = fields;
    if (r.meta_hex) hexCell.title = groupHex(r.meta_hex);
    e.append(
      el('span', 'c-time', formatTime(r.ts)),
      el('span', 'c-if', r.ifname ?? String(r.ifindex)),
      el('span', 'c-queue', String(r.queue)),
      el('span', 'c-verdict', r.verdict),
      fieldsCell,
      hexCell,
    );
    if (r.struct) e.title = `struct ${r.struct}, ${r.meta_len} bytes`;
  }
}

function formatTime(ts: number): string {
  const d = new Date(ts * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(Math.floor((ts * 1e6) % 1e6), 6)}`;
}

function groupHex(hex: string): string {
  return hex.replace(/(.{8})(?=.)/g, '$1 ');
}

new LiveView().start();
