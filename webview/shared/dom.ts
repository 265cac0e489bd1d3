// Small DOM helpers shared by the webviews.

/** `document.createElement` with a class and optional text, to keep DOM code short. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function icon(name: string, cls = ''): HTMLElement {
  return el('span', `codicon codicon-${name}${cls ? ` ${cls}` : ''}`);
}
