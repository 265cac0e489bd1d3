// The quick-pick row of a project template: the README title as plain text without its `name:` prefix, the folder name apart.
import type { BpfTemplate } from '../core/compile';

export interface TemplateItem {
  label: string;
  description?: string;
  detail: string;
  t: BpfTemplate;
}

/** Markdown code spans and emphasis as plain text (the picker shows text, not markdown). */
export function plainText(s: string): string {
  return s.replace(/`([^`]*)`/g, '$1').replace(/\*\*([^*]*)\*\*/g, '$1').replace(/\*([^*]*)\*/g, '$1');
}

export function templateItem(t: BpfTemplate): TemplateItem {
  const prefix = new RegExp(`^${t.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[:—-]\\s*`);
  const title = plainText(t.title).replace(prefix, '').trim();
  return { label: title || t.name, description: title && title !== t.name ? t.name : undefined, detail: plainText(t.summary), t };
}
