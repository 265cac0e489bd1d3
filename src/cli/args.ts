// Declarative option parsing for `xdp-meta` commands: one spec per command, one-line UsageErrors naming the option.
import { UsageError } from '../core/util/errors';

export type OptionType = 'string' | 'boolean' | 'number' | 'list';

export interface OptionSpec {
  type: OptionType;
  /** One character: `-o VALUE`, `-oVALUE` (or a bare `-x` for a boolean). */
  short?: string;
  /** Accepted values of a string or list option. */
  choices?: readonly string[];
  /** Bounds of a number option (inclusive). */
  min?: number;
  max?: number;
  /** A number option accepts only whole numbers. */
  integer?: boolean;
  /** The value when the option is absent (string and number options). */
  default?: string | number;
  /** The placeholder in messages and usage text, e.g. FILE; default VALUE (or N for numbers). */
  valueName?: string;
  description?: string;
}

export interface ArgsSpec {
  options: Readonly<Record<string, OptionSpec>>;
  /** Operands: `name` is used in messages (`missing OBJ`); default none allowed. */
  positionals?: { name: string; min?: number; max?: number };
  /** Everything after `--` is handed over untouched (build's clang flags) instead of read as operands. */
  passthrough?: { name: string; description?: string };
}

type ValueOf<O extends OptionSpec> =
  O['type'] extends 'boolean' ? boolean
    : O['type'] extends 'list' ? (O extends { choices: readonly (infer C)[] } ? C[] : string[])
      : O['type'] extends 'number' ? (O extends { default: number } ? number : number | undefined)
        : (O extends { choices: readonly (infer C)[] } ? C : string) | (O extends { default: string } ? never : undefined);

export type OptionValues<O extends ArgsSpec['options']> = { -readonly [K in keyof O]: ValueOf<O[K]> };

export interface ParsedArgs<S extends ArgsSpec> {
  options: OptionValues<S['options']>;
  positionals: string[];
  /** The arguments after `--` when the spec asks for passthrough, else empty. */
  passthrough: string[];
}

/** Keeps the literal types of a spec (choices, defaults) so `parseArgs` can type its result. */
export function defineArgs<const S extends ArgsSpec>(spec: S): S {
  return spec;
}

const flagOf = (name: string, o: OptionSpec, usedShort: boolean): string => (usedShort ? `-${o.short}` : `--${name}`);

function placeholder(o: OptionSpec): string {
  return o.valueName ?? (o.choices ? o.choices.join('|') : o.type === 'number' ? 'N' : 'VALUE');
}

/** Edit distance, for "did you mean": options are short, so the quadratic table is fine. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known flag closest to `given`, when it is close enough to be a likely typo or prefix. */
export function closestOption(spec: ArgsSpec, given: string): string | undefined {
  const flags = Object.entries(spec.options).flatMap(([n, o]) => [`--${n}`, ...(o.short ? [`-${o.short}`] : [])]);
  const bare = given.split('=')[0]!;
  let best: string | undefined;
  let bestD = Infinity;
  for (const f of flags) {
    // A prefix (`--targ`) is as good as a match; otherwise allow about one typo per three characters.
    const d = f.startsWith(bare) && bare.length > 2 ? 0 : distance(bare, f);
    if (d < bestD) [best, bestD] = [f, d];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(bare.length / 3)) ? best : undefined;
}

function convert(flag: string, o: OptionSpec, v: string): string | number {
  if (o.choices && !o.choices.includes(v)) {
    throw new UsageError(`${flag} must be one of ${o.choices.join(', ')} (got '${v}')`);
  }
  if (o.type !== 'number') return v;
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be ${o.integer ? 'a whole number' : 'a number'} (got '${v}')`);
  }
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max)) {
    const range = o.min !== undefined && o.max !== undefined ? `from ${o.min} to ${o.max}`
      : o.min !== undefined ? `at least ${o.min}` : `at most ${o.max}`;
    throw new UsageError(`${flag} must be ${range} (got '${v}')`);
  }
  return n;
}

/**
 * Reads `argv` against `spec`: `--opt value`, `--opt=value`, `-o value`, `-oVALUE`, repeated list options,
 * `-` as an operand (stdin), and `--` ending the options. Throws a one-line UsageError naming the option.
 */
export function parseArgs<const S extends ArgsSpec>(spec: S, argv: readonly string[]): ParsedArgs<S> {
  const values: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(spec.options)) {
    values[name] = o.type === 'boolean' ? false : o.type === 'list' ? [] : o.default;
  }
  const byShort = new Map(Object.entries(spec.options).filter(([, o]) => o.short).map(([n, o]) => [o.short!, n]));
  const positionals: string[] = [];
  const passthrough: string[] = [];
  const unknown = (arg: string): never => {
    const hint = closestOption(spec, arg);
    throw new UsageError(`unknown option '${arg}'${hint ? ` (did you mean '${hint}'?)` : ''}`);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      (spec.passthrough ? passthrough : positionals).push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let inline: string | undefined;
    let usedShort = false;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq > 0 ? arg.slice(eq + 1) : undefined;
      if (!Object.hasOwn(spec.options, name)) unknown(arg);
    } else {
      name = byShort.get(arg[1]!);
      usedShort = true;
      if (name === undefined) unknown(arg);
      if (arg.length > 2) inline = arg.slice(2);
    }
    const o = spec.options[name!]!;
    const flag = flagOf(name!, o, usedShort);
    if (o.type === 'boolean') {
      if (inline !== undefined) {
        // `-xfoo` for a boolean -x is more likely a mistyped option than a value.
        if (usedShort) unknown(arg);
        throw new UsageError(`${flag} takes no value (got '${arg}')`);
      }
      values[name!] = true;
      continue;
    }
    let v = inline;
    if (v === undefined) {
      const next = argv[i + 1];
      // `--dev --json`: the next option is not the value; `--dev=--json` says so if it really is.
      if (next === undefined || next.startsWith('--')) {
        throw new UsageError(`${flag} needs ${o.valueName ? `${/^[AEIOU]/i.test(o.valueName) ? 'an' : 'a'} ${o.valueName}` : 'a value'}`);
      }
      v = next;
      i++;
    }
    const converted = convert(flag, o, v);
    if (o.type === 'list') (values[name!] as unknown[]).push(converted);
    else values[name!] = converted;
  }

  const p = spec.positionals;
  const min = p?.min ?? 0;
  const max = p?.max ?? (p ? Infinity : 0);
  if (positionals.length > max) {
    const extra = positionals[max]!;
    throw new UsageError(max === 0 ? `unexpected argument '${extra}' (this command takes no operands)`
      : `unexpected argument '${extra}': ${max === 1 ? `one ${p!.name}` : `at most ${max} ${p!.name}`} at a time, got ${positionals.length}`);
  }
  if (positionals.length < min) {
    throw new UsageError(min === 1 ? `missing ${p!.name}` : `missing ${p!.name}: need at least ${min}, got ${positionals.length}`);
  }
  return { options: values as OptionValues<S['options']>, positionals, passthrough };
}

/** The options part of a usage text, one aligned line per option: `  -o, --output FILE  description`. */
export function formatOptions(spec: ArgsSpec): string {
  const described = Object.entries(spec.options).filter(([, o]) => o.description);
  // The column for `-x, ` only when some option has a short form.
  const indent = described.some(([, o]) => o.short) ? '    ' : '';
  const rows = described.map(([name, o]) => {
    const value = o.type === 'boolean' ? '' : ` ${placeholder(o)}`;
    const head = `${o.short ? `-${o.short}, ` : indent}--${name}${value}${o.type === 'list' ? '...' : ''}`;
    return [head, o.description!] as const;
  });
  if (spec.passthrough?.description) rows.push([`-- ${spec.passthrough.name}...`, spec.passthrough.description]);
  const width = Math.max(0, ...rows.map(([h]) => h.length));
  return rows.map(([h, d]) => `  ${h.padEnd(width)}  ${d}`).join('\n');
}
