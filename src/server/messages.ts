// Editor wording of the check's messages: settings instead of CLI flags, and one line first with the detail apart.

/** The setting that names the BTF to check against (the CLI's `--target-btf`). */
export const TARGET_BTF_SETTING = 'xdpMeta.check.targetBtf';

export interface EditorMessage {
  /** The first line: what is wrong, at most one clause. */
  first: string;
  /** The rest, one entry per clause, for relatedInformation. */
  details: string[];
}

/** Messages up to this length stay on one line as they are. */
const SHORT = 100;

/** CLI flags the check's messages name, and the editor setting that does the same. */
export function speakSettings(message: string): string {
  return message.replace(/\(--target-btf\)/g, `(the setting ${TARGET_BTF_SETTING})`).replace(/--target-btf\b/g, `the setting ${TARGET_BTF_SETTING}`);
}

/**
 * Splits a long message at its top-level clause breaks (`: `, `; `, `. ` outside parentheses and quotes); a long
 * parenthetical that ends the first clause goes to the detail too.
 */
export function splitMessage(message: string): EditorMessage {
  const text = speakSettings(message).trim();
  if (text.length <= SHORT) return { first: text, details: [] };
  const parts: string[] = [];
  const seps: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === ':' || c === ';' || c === '.') && text[i + 1] === ' ' && !/::$/.test(text.slice(0, i + 1))) {
      parts.push(text.slice(start, c === '.' ? i + 1 : i).trim());
      seps.push(c === '.' ? ' ' : `${c} `);
      start = i + 2;
    }
  }
  parts.push(text.slice(start).trim());
  const clauses = [...parts];
  let first = clauses.shift() ?? text;
  // A heading-like first clause ("BTF-ID trailer: ...") says too little alone: keep the next one with it.
  for (let k = 0; first.length < 30 && clauses.length; k++) first += seps[k] + clauses.shift()!;
  const paren = /\s*(\(([^()]|\([^()]*\))*\))$/.exec(first);
  if (paren && paren[1].length > 50 && paren.index > 20) {
    clauses.unshift(paren[1].slice(1, -1));
    first = first.slice(0, paren.index);
  }
  return { first: first.replace(/\.$/, ''), details: clauses.filter((c) => c !== '') };
}
