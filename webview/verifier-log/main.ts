// Verifier log viewer webview: error card, toolbar (search, branches, folding), virtualised log, register trace.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import './style.css';
import type {
  LogRow,
  VerifierLogFromWebview,
  VerifierLogToWebview,
  VerifierLogViewState,
  TraceLink,
} from '../../src/shared/webview-protocol';
import { parseVerifierLogViewState } from '../../src/shared/webview-protocol';
import { PageCache } from '../shared/page-cache';
import { measureRowHeight, VirtualList } from '../shared/virtual-list';
import { el, icon } from '../shared/dom';
import { vscodeApi } from '../shared/vscode-api';
import { Folding } from './folding';
import { tokenize } from './tokens';

type Init = Extract<VerifierLogToWebview, { type: 'init' }>;

const api = vscodeApi<VerifierLogViewState>();
const post = (m: VerifierLogFromWebview): void => api.postMessage(m);
const PAGE = 256;

class Viewer {
  private readonly app = document.getElementById('app')!;
  private init?: Init;
  private cache = new PageCache<LogRow>(PAGE, 64, 0);
  private folding = new Folding(0, []);
  private list!: VirtualList;
  private selected = -1;
  private collapseExplored = false;
  private toggled = new Set<number>();
  private reqId = 1;
  private searchReq = 0;
  private traceReq = 0;
  private trace?: { slot: string; row: number; value?: string; chain: TraceLink[]; at: number };
  private readonly history: number[] = [];
  private stateTimer = 0;
  /** Bumped when something every row shows changes (the trace), so pooled rows redraw. */
  private gen = 0;
  // Toolbar elements updated after init.
  private readonly searchBox = el('vscode-textfield', 'search') as HTMLElement & { value: string };
  private readonly searchInfo = el('span', 'search-info');
  private readonly summary = el('span', 'summary');
  private readonly traceBar = el('div', 'trace-bar');
  private readonly errorCard = el('section', 'error-card');
  private readonly collapseBox = el('vscode-checkbox') as HTMLElement & { checked: boolean; label: string };

  start(): void {
    window.addEventListener('message', (e: MessageEvent<VerifierLogToWebview>) => this.onMessage(e.data));
    this.app.textContent = 'Loading the verifier log…';
    post({ type: 'ready', state: parseVerifierLogViewState(api.getState()) });
  }

  private onMessage(m: VerifierLogToWebview): void {
    switch (m.type) {
      case 'init':
        this.onInit(m);
        break;
      case 'rows':
        if (this.cache.put(m.reqId, m.from, m.rows)) this.list.schedule();
        break;
      case 'searchResult':
        if (m.reqId !== this.searchReq) return;
        this.searchInfo.textContent =
          m.row < 0 ? 'No match' : m.total >= 0 ? `${m.total.toLocaleString()} match${m.total === 1 ? '' : 'es'}` : '';
        if (m.row >= 0) this.goTo(m.row);
        break;
      case 'traceResult':
        if (m.reqId !== this.traceReq) return;
        this.trace = { slot: m.slot, row: m.row, value: m.value, chain: m.chain, at: 0 };
        this.renderTrace();
        if (m.chain.length) this.goTo(m.chain[0].row);
        break;
      case 'reveal':
        if (m.row !== undefined) this.goTo(m.row);
        break;
      case 'error':
        this.app.textContent = m.message;
        break;
    }
  }

  private onInit(m: Init): void {
    this.init = m;
    document.title = m.title;
    this.cache = new PageCache<LogRow>(PAGE, 64, m.totalRows);
    this.folding = new Folding(m.totalRows, m.segments);
    const st = m.state;
    this.collapseExplored = st?.collapseExplored ?? false;
    this.toggled = new Set(st?.toggled ?? []);
    this.applyFolding();
    this.buildDom();
    this.list.setRowCount(this.folding.visibleCount);
    if (st) {
      this.searchBox.value = st.query ?? '';
      this.selected = st.selectedRow ?? -1;
      this.list.scrollToRow(this.folding.toVisible(st.topRow), false);
    } else if (m.error) {
      this.goTo(m.error.insnRow ?? m.error.row);
    }
    this.list.root.focus();
  }

  private applyFolding(): void {
    const e = this.init?.error;
    const err = e ? (e.insnRow ?? e.row) : -1; // the failing path stays open
    const errSeg = err >= 0 ? this.folding.segmentContaining(err) : -1;
    this.folding.assign((k) => {
      const def = this.collapseExplored && k !== errSeg;
      return this.toggled.has(this.folding.segment(k).header) ? !def : def;
    });
  }

  private buildDom(): void {
    const m = this.init!;
    this.app.textContent = '';
    if (m.error) this.buildErrorCard();
    const bar = el('div', 'toolbar');
    this.searchBox.setAttribute('placeholder', 'Search the log (Enter, Shift+Enter)');
    this.searchBox.addEventListener('keydown', (e: KeyboardEvent) => {
      if (e.key === 'Enter') this.search(e.shiftKey);
    });
    const btn = (iconName: string, label: string, fn: () => void): HTMLElement => {
      const b = el('vscode-toolbar-button');
      b.setAttribute('icon', iconName);
      b.setAttribute('label', label);
      b.title = label;
      b.addEventListener('click', fn);
      return b;
    };
    this.collapseBox.label = 'Collapse explored states';
    this.collapseBox.checked = this.collapseExplored;
    this.collapseBox.addEventListener('change', () => {
      this.setCollapseExplored(this.collapseBox.checked);
    });
    const s = m.summary;
    const parts = [`${s.lines.toLocaleString()} lines`];
    if (s.level) parts.push(`level ${s.level}`);
    if (s.processedInsns !== undefined) parts.push(`${s.processedInsns.toLocaleString()} insns processed`);
    if (s.totalStates !== undefined) parts.push(`${s.totalStates.toLocaleString()} states (peak ${s.peakStates ?? '?'})`);
    if (m.branches.length) parts.push(`${m.branches.length.toLocaleString()} branch states`);
    if (s.unknownLines) parts.push(`${s.unknownLines.toLocaleString()} unrecognised`);
    if (s.truncated) parts.push('truncated: the kernel kept the tail');
    this.summary.textContent = parts.join(' · ');
    bar.append(
      this.searchBox,
      btn('arrow-up', 'Previous match', () => this.search(true)),
      btn('arrow-down', 'Next match', () => this.search(false)),
      this.searchInfo,
      el('span', 'sep'),
      btn('debug-step-back', 'Previous branch state', () => this.jumpBranch(-1)),
      btn('debug-step-over', 'Next branch state', () => this.jumpBranch(1)),
      btn('arrow-left', 'Back (Alt+Left)', () => this.back()),
      el('span', 'sep'),
      this.collapseBox,
      el('span', 'spacer'),
      this.summary,
    );
    this.list = new VirtualList(measureRowHeight(), {
      renderRow: (e, i) => this.renderRow(e, i),
      onRange: (first, end) => this.fetch(first, end),
    });
    this.list.root.classList.add('log');
    this.list.root.addEventListener('click', (e) => this.onClick(e));
    this.list.root.addEventListener('scroll', () => this.saveStateSoon());
    window.addEventListener('keydown', (e) => {
      if (e.altKey && e.key === 'ArrowLeft') this.back();
      if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
        e.preventDefault();
        this.searchBox.focus();
      }
    });
    this.traceBar.hidden = true;
    this.app.append(this.errorCard, bar, this.traceBar, this.list.root);
  }

  private buildErrorCard(): void {
    const e = this.init!.error!;
    const card = this.errorCard;
    card.textContent = '';
    const head = el('div', 'error-head');
    head.append(icon('error'), el('span', 'error-message', e.message));
    const hide = icon('chevron-up', 'error-toggle');
    hide.title = 'Hide the explanation';
    hide.addEventListener('click', (ev) => {
      ev.stopPropagation();
      card.classList.toggle('folded-card');
      hide.className = `codicon codicon-${card.classList.contains('folded-card') ? 'chevron-down' : 'chevron-up'} error-toggle`;
    });
    head.append(hide);
    const where = el('div', 'error-where');
    const at = el('a', 'link', e.insn !== undefined ? `instruction ${e.insn}` : `line ${e.row + 1}`);
    at.href = '#';
    at.dataset.row = String(e.insnRow ?? e.row);
    where.append('at ', at);
    if (e.source) {
      const src = el('a', 'link src-link', `${e.source.file}:${e.source.line}`);
      src.href = '#';
      src.dataset.file = e.source.file;
      src.dataset.line = String(e.source.line);
      where.append(' · ', src);
    }
    if (e.title) card.append(el('div', 'error-title', e.title));
    card.append(head);
    for (const d of e.details ?? []) card.append(el('div', 'error-detail', d));
    card.append(where);
    if (e.explanation) card.append(el('p', 'explanation', e.explanation));
    if (e.history?.length) {
      const h = el('div', 'error-history');
      h.append(el('span', 'label', `Where ${e.history[0].slot} came from: `));
      for (const link of e.history) {
        const a = el('a', 'link history-link');
        a.href = '#';
        a.dataset.row = String(link.row);
        a.title = link.text;
        a.append(`insn ${link.insn ?? '?'}: `, el('code', '', link.text));
        if (link.value) a.append(' → ', el('code', 'value', link.value));
        h.append(el('span', 'arrow', ' ← '), a);
      }
      card.append(h);
    }
    if (e.fix) {
      const fix = el('p', 'fix');
      fix.append(el('strong', '', 'Fix: '), e.fix);
      card.append(fix);
    }
    if (e.fixCode) card.append(el('pre', 'fix-code', e.fixCode));
    card.addEventListener('click', (ev) => {
      const a = (ev.target as HTMLElement).closest('a');
      if (!a) return;
      ev.preventDefault();
      if (a.dataset.file) post({ type: 'openSource', file: a.dataset.file, line: Number(a.dataset.line) });
      else if (a.dataset.row) this.goTo(Number(a.dataset.row));
    });
  }

  private fetch(first: number, end: number): void {
    // Every visible row's page (folded segments make neighbours far apart), then one page either side.
    const n = this.folding.visibleCount;
    const want = (v: number): void => {
      if (v < 0 || v >= n) return;
      const line = this.folding.toLine(v);
      for (const r of this.cache.request(line, line + 1)) post({ type: 'getRows', reqId: r.reqId, from: r.from, to: r.to });
    };
    for (let v = first; v < end; v++) want(v);
    want(first - PAGE / 2);
    want(end + PAGE / 2);
  }

  private renderRow(e: HTMLDivElement, visible: number): void {
    const line = this.folding.toLine(visible);
    const row = this.cache.get(line);
    const key = `${this.gen}:${line}:${row ? 1 : 0}:${this.selected === line ? 1 : 0}:${this.folding.segmentAt(line) >= 0 ? +this.folding.isCollapsed(this.folding.segmentAt(line)) : -1}`;
    if (e.dataset.key === key) return;
    e.dataset.key = key;
    e.dataset.line = String(line);
    e.textContent = '';
    e.className = `vrow ${row ? `k-${row.kind}` : 'k-loading'}${this.selected === line ? ' selected' : ''}`;
    const gutter = el('span', 'gutter');
    const seg = this.folding.segmentAt(line);
    if (seg >= 0) {
      const s = this.folding.segment(seg);
      const fold = icon(s.collapsed ? 'chevron-right' : 'chevron-down', 'fold');
      fold.dataset.seg = String(seg);
      fold.title = s.collapsed ? `Expand ${s.end - s.header - 1} lines` : 'Collapse this explored state';
      gutter.append(fold);
    }
    gutter.append(el('span', 'ln', String(line + 1)));
    e.append(gutter);
    const text = el('span', 'text');
    if (!row) text.textContent = '…';
    else if (row.kind === 'source' && row.source) {
      const a = el('a', 'src-link', row.text);
      a.dataset.file = row.source.file;
      a.dataset.line = String(row.source.line);
      a.title = `Open ${row.source.file}:${row.source.line}`;
      text.append(a);
    } else if (row.kind === 'insn' || row.kind === 'state' || row.kind === 'branch' || row.kind === 'error') {
      for (const t of tokenize(row.text)) {
        if (!t.slot) {
          text.append(t.text);
          continue;
        }
        const s = el('span', 'slot', t.text);
        s.dataset.slot = t.slot;
        s.title = `${t.slot}: show its value and where it was written`;
        if (this.trace && this.trace.slot === t.slot && this.trace.chain[this.trace.at]?.row === line) s.classList.add('traced');
        text.append(s);
      }
    } else text.textContent = row.text;
    if (seg >= 0 && this.folding.isCollapsed(seg)) {
      const s = this.folding.segment(seg);
      text.append(el('span', 'folded', ` ⋯ ${(s.end - s.header - 1).toLocaleString()} lines`));
    }
    e.append(text);
  }

  private onClick(ev: MouseEvent): void {
    const t = ev.target as HTMLElement;
    const rowEl = t.closest<HTMLElement>('.vrow');
    if (!rowEl?.dataset.line) return;
    const line = Number(rowEl.dataset.line);
    if (t.dataset.seg) {
      this.toggleSegment(Number(t.dataset.seg));
      return;
    }
    if (t.dataset.file) {
      ev.preventDefault();
      post({ type: 'openSource', file: t.dataset.file, line: Number(t.dataset.line) });
      return;
    }
    this.select(line);
    if (t.dataset.slot) {
      this.traceReq = this.reqId++;
      post({ type: 'trace', reqId: this.traceReq, row: line, slot: t.dataset.slot });
    }
  }

  private toggleSegment(k: number): void {
    const h = this.folding.segment(k).header;
    if (this.toggled.has(h)) this.toggled.delete(h);
    else this.toggled.add(h);
    const top = this.folding.toLine(this.list.topRow);
    this.folding.toggle(k);
    this.list.setRowCount(this.folding.visibleCount);
    this.list.scrollToRow(this.folding.toVisible(top), false);
    this.saveStateSoon();
  }

  private setCollapseExplored(on: boolean): void {
    const top = this.folding.toLine(this.list.topRow);
    this.collapseExplored = on;
    this.toggled.clear();
    this.applyFolding();
    this.list.setRowCount(this.folding.visibleCount);
    this.list.scrollToRow(this.folding.toVisible(this.selected >= 0 ? this.selected : top), this.selected >= 0);
    this.saveStateSoon();
  }

  private select(line: number): void {
    this.selected = line;
    this.list.render();
    this.saveStateSoon();
  }

  /** Selects `line` and scrolls to it, unfolding its segment if needed; remembers where we were. */
  goTo(line: number): void {
    if (!this.init) return;
    if (this.selected >= 0 && this.selected !== line) this.history.push(this.selected);
    if (this.history.length > 200) this.history.shift();
    const k = this.folding.segmentContaining(line);
    if (k >= 0 && this.folding.isCollapsed(k) && this.folding.segment(k).header !== line) {
      const h = this.folding.segment(k).header;
      if (this.toggled.has(h)) this.toggled.delete(h);
      else this.toggled.add(h);
      this.folding.set(k, false);
      this.list.setRowCount(this.folding.visibleCount);
    }
    this.selected = line;
    this.list.reveal(this.folding.toVisible(line));
    this.list.render();
    this.saveStateSoon();
  }

  private back(): void {
    const prev = this.history.pop();
    if (prev === undefined) return;
    this.selected = -1;
    this.goTo(prev);
  }

  private search(backwards: boolean): void {
    const q = this.searchBox.value;
    if (!q) return;
    this.searchReq = this.reqId++;
    const from = this.selected >= 0 ? this.selected : this.folding.toLine(this.list.topRow) - (backwards ? 0 : 1);
    post({ type: 'search', reqId: this.searchReq, query: q, from, backwards });
    this.searchInfo.textContent = 'Searching…';
    this.saveStateSoon();
  }

  private jumpBranch(dir: 1 | -1): void {
    const b = this.init!.branches;
    if (!b.length) return;
    const cur = this.selected >= 0 ? this.selected : this.folding.toLine(this.list.topRow);
    // Binary search for the first branch row > cur (or the last < cur).
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] <= cur) lo = mid + 1;
      else hi = mid;
    }
    const idx = dir > 0 ? lo : (b[lo - 1] === cur ? lo - 2 : lo - 1);
    if (idx >= 0 && idx < b.length) this.goTo(b[idx]);
  }

  private renderTrace(): void {
    const t = this.trace;
    this.gen++;
    const bar = this.traceBar;
    bar.textContent = '';
    if (!t) {
      bar.hidden = true;
      return;
    }
    bar.hidden = false;
    const head = el('span', 'trace-head');
    head.append(el('span', 'slot-name', t.slot), ` at line ${t.row + 1}: `, el('code', 'value', t.value ?? 'not shown in the log'));
    bar.append(head);
    if (!t.chain.length) bar.append(el('span', 'trace-none', ' — no write found on this path'));
    t.chain.forEach((link, i) => {
      const a = el('a', `trace-link${i === t.at ? ' current' : ''}`);
      a.href = '#';
      a.append(
        el('span', 'arrow', '← '),
        el('span', 'slot-name', link.slot),
        ` written at ${link.insn !== undefined ? `insn ${link.insn}` : `line ${link.row + 1}`}`,
      );
      if (link.value) a.append(' = ', el('code', 'value', link.value));
      a.title = link.text;
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        t.at = i;
        this.renderTrace();
        this.goTo(link.row);
      });
      bar.append(a);
    });
    const close = icon('close', 'trace-close');
    close.title = 'Close';
    close.addEventListener('click', () => {
      this.trace = undefined;
      this.renderTrace();
      this.list.render();
    });
    bar.append(close);
    this.list.render();
  }

  private saveStateSoon(): void {
    if (this.stateTimer) return;
    // Visible while a save is due, so anything waiting for the saved state can wait on the DOM.
    document.body.dataset.statePending = '';
    this.stateTimer = window.setTimeout(() => {
      this.stateTimer = 0;
      delete document.body.dataset.statePending;
      if (!this.init) return;
      const st: VerifierLogViewState = {
        uri: this.init.uri,
        topRow: this.folding.toLine(this.list.topRow),
        collapseExplored: this.collapseExplored,
      };
      if (this.selected >= 0) st.selectedRow = this.selected;
      if (this.searchBox.value) st.query = this.searchBox.value;
      if (this.toggled.size) st.toggled = [...this.toggled];
      api.setState(st);
    }, 250);
  }
}

new Viewer().start();
