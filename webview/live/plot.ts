// A small canvas plot of rows per second (bars), in the theme's chart colours.

export class RatePlot {
  readonly canvas: HTMLCanvasElement;

  constructor(width = 240, height = 48) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'rate-plot';
    this.canvas.width = width;
    this.canvas.height = height;
    this.canvas.setAttribute('role', 'img');
  }

  draw(series: number[]): void {
    const c = this.canvas;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth || c.width;
    const h = c.clientHeight || c.height;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const css = getComputedStyle(document.documentElement);
    const bar = css.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
    const axis = css.getPropertyValue('--vscode-descriptionForeground').trim() || '#888';
    const max = Math.max(1, ...series);
    const top = 12;
    const bw = w / series.length;
    g.fillStyle = bar;
    series.forEach((v, i) => {
      const bh = ((h - top - 1) * v) / max;
      g.fillRect(i * bw + 0.5, h - 1 - bh, Math.max(1, bw - 1), bh);
    });
    g.fillStyle = axis;
    g.fillRect(0, h - 1, w, 1);
    g.font = '10px sans-serif';
    g.textBaseline = 'top';
    g.fillText(`${formatRate(max)}/s peak · ${series.length}s`, 2, 0);
    this.canvas.setAttribute('aria-label', `rows per second, last ${series.length} seconds, peak ${max}`);
  }
}

export function formatRate(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
