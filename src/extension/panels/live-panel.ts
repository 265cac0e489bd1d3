// The live capture panel: shows a running capture's rows batched to a webview; Stop detaches and says so.
import * as vscode from 'vscode';
import type { LiveCapture, StopSummary } from '../../core/remote/session';
import type { LiveStatus, LiveCounters, LiveFromWebview, LiveRow, LiveToWebview } from '../../shared/webview-protocol';
import { LIVE_VIEW_TYPE } from '../../shared/webview-protocol';
import { RowBatcher } from './live-batcher';
import { makeNonce, webviewHtml } from './webview-html';

/** What the panel needs of a capture: core's `LiveCapture` has it. */
export type LiveCaptureSource = Pick<LiveCapture, 'on' | 'off' | 'stop' | 'info'>;

export interface LivePanelOptions {
  title?: string;
  /** Starts the same capture again (the Restart button); the panel stops its own first. */
  restart?: () => void;
  /** Rows the view keeps (ring buffer); older rows leave the table, counters keep counting. */
  capacity?: number;
}

/** The panel of one capture; closing it stops the capture (the program is detached). */
export class LivePanel {
  /** Panels whose capture is running (for "Stop Capture" and the `xdpMeta.capturing` context key). */
  static readonly running = new Set<LivePanel>();
  static onRunningChanged: () => void = () => undefined;
  private rowsSeen = 0;
  private readonly batcher: RowBatcher<LiveRow>;
  private status: LiveStatus;
  private ended = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly capture: LiveCaptureSource,
    private readonly opts: Required<Omit<LivePanelOptions, 'restart'>> & Pick<LivePanelOptions, 'restart'>,
  ) {
    const info = capture.info;
    this.status = {
      state: 'running',
      message: `Capturing on ${info.dev}`,
      target: `${info.host} · ${info.dev} (ifindex ${info.ifindex}) · ${info.program} · ${info.hook}${info.devBound ? ', device-bound' : ''}, ${info.mode}`,
      mechanism: info.objectCapture ?? info.mechanism,
      blindSpots: info.blindSpots,
      canRestart: opts.restart !== undefined,
    };
    LivePanel.running.add(this);
    LivePanel.onRunningChanged();
    this.batcher = new RowBatcher<LiveRow>((rows, skipped) => this.post({ type: 'rows', rows, skipped }));
    const onRows = (rows: LiveRow[]): void => {
      this.rowsSeen += rows.length;
      this.batcher.push(rows.map((r) => ({ ...r, ifname: info.dev })));
    };
    const onStats = (s: LiveCounters): void => {
      // Rows sent before these counters were read are flushed first, so the view shows both as of one moment.
      this.batcher.flush();
      this.status = {
        ...this.status, rowsAtCounters: this.rowsSeen,
        counters: { seen: s.seen, captured: s.captured, sampled_out: s.sampled_out, rate_limited: s.rate_limited, ringbuf_full: s.ringbuf_full },
      };
      this.post({ type: 'status', status: this.status });
    };
    const onEnd = (s: StopSummary): void => this.onEnd(s);
    capture.on('rows', onRows);
    capture.on('stats', onStats);
    capture.on('end', onEnd);
    this.disposables.push({
      dispose: () => {
        capture.off('rows', onRows);
        capture.off('stats', onStats);
        capture.off('end', onEnd);
      },
    });
    panel.webview.onDidReceiveMessage((m: LiveFromWebview) => this.onMessage(m), undefined, this.disposables);
    panel.onDidDispose(() => this.dispose(), undefined, this.disposables);
  }

  private post(m: LiveToWebview): void {
    void this.panel.webview.postMessage(m);
  }

  private onMessage(m: LiveFromWebview): void {
    if (m.type === 'ready') {
      this.post({ type: 'config', title: this.opts.title, capacity: this.opts.capacity });
      this.post({ type: 'status', status: this.status });
    } else if (m.type === 'stop') void this.stop();
    else if (m.type === 'restart' && this.opts.restart) void this.restart();
  }

  /** Stops this capture, closes the panel and starts the same capture again (a new panel). */
  async restart(): Promise<void> {
    await this.stop();
    const again = this.opts.restart;
    this.panel.dispose();
    again?.();
  }

  /** Stops the capture: the agent detaches and unloads the program; the view says so when done. */
  async stop(): Promise<void> {
    if (this.ended) return;
    this.status = { ...this.status, state: 'stopping', message: `Stopping: detaching ${this.capture.info.program} from ${this.capture.info.dev}…` };
    this.post({ type: 'status', status: this.status });
    try {
      await this.capture.stop();
    } catch (e) {
      this.onEnd({ detached: 'agent-exited', rows: 0, error: e as StopSummary['error'] });
    }
  }

  private onEnd(s: StopSummary): void {
    if (this.ended) return;
    this.ended = true;
    LivePanel.running.delete(this);
    LivePanel.onRunningChanged();
    this.batcher.flush();
    const { program, dev, host } = this.capture.info;
    const how = s.detached === 'stopped'
      ? `Stopped: ${program} was detached from ${dev} on ${host} and unloaded.`
      : s.detached === 'agent-exited' ? `The agent exited: the kernel detached ${program} from ${dev} when its bpf_link closed.`
        : s.detached === 'interface-gone' ? `${dev} went away on ${host}: the kernel detached ${program}.`
          : `The connection to ${host} was lost: whether ${program} is still attached to ${dev} cannot be known from here; ` +
            `the agent detaches it by itself${s.heartbeatS ? ` at most ${s.heartbeatS} s after it last heard from us` : ''}.`;
    this.status = {
      ...this.status,
      state: s.error ? 'error' : 'stopped',
      message: s.error ? `${how} ${s.error.message}` : `${how} ${s.rows.toLocaleString()} rows captured.`,
    };
    this.post({ type: 'status', status: this.status });
  }

  dispose(): void {
    LivePanel.running.delete(this);
    LivePanel.onRunningChanged();
    this.batcher.dispose();
    if (!this.ended) void this.capture.stop().catch(() => undefined);
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Opens a live view of a started capture (from the run command). Closing the panel stops the capture. */
export function openLiveCapture(
  context: vscode.ExtensionContext,
  capture: LiveCaptureSource,
  opts: LivePanelOptions = {},
): LivePanel {
  const title = opts.title ?? `Live: ${capture.info.program} on ${capture.info.dev}`;
  const panel = vscode.window.createWebviewPanel(LIVE_VIEW_TYPE, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    // Rows and counters live in the webview; keep them while the tab is in the background.
    retainContextWhenHidden: true,
    localResourceRoots: [
      vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(context.extensionUri, 'media'),
    ],
  });
  const res = (...p: string[]): string =>
    panel.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview', ...p)).toString();
  panel.webview.html = webviewHtml({
    cspSource: panel.webview.cspSource,
    nonce: makeNonce(),
    scriptUri: res('live.js'),
    styleUri: res('live.css'),
    codiconUri: res('codicons', 'codicon.css'),
    title,
  });
  return new LivePanel(panel, capture, { title, capacity: opts.capacity ?? 10_000, restart: opts.restart });
}
