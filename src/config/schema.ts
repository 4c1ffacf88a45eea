// A small declarative schema for configuration: each key has a type, a default, a range and
// one line of documentation. From one schema we derive the defaults, the validation with
// key paths in every message, the environment overrides and the commented TOML of `-p`.

export type Issue = string;

interface FieldBase<T> {
  readonly kind: 'field';
  readonly default: T;
  readonly doc: string;
  /** Checks a value taken from TOML; returns the value or a message (without the key path). */
  check(value: unknown): { ok: true; value: T } | { ok: false; message: string };
  /** Parses an environment variable's text into a value of the TOML's shape. */
  fromText(text: string): unknown;
  /** Shows a value as TOML. */
  toToml(value: T): string;
}

export type Field<T> = FieldBase<T>;

export interface Section<F extends Fields> {
  readonly kind: 'section';
  readonly doc: string;
  readonly fields: F;
}

export type Fields = { readonly [key: string]: Field<unknown> | Section<Fields> };

/** The frozen configuration object a schema describes. */
export type Infer<S> =
  S extends Section<infer F> ? { readonly [K in keyof F]: Infer<F[K]> } : S extends Field<infer T> ? T : never;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    return value instanceof Date ? 'a date' : 'a table';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'bigint') return `the integer ${value}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the float ${value}`;
  return `${typeof value} ${String(value)}`;
}

function quote(text: string): string {
  return JSON.stringify(text);
}

/** A number from min to max: an integer, or with `fraction` any finite number. */
function numeric(defaultValue: number, options: { min: number; max: number; doc: string }, fraction: boolean): Field<number> {
  const { min, max, doc } = options;
  const kind = fraction ? 'a number' : 'an integer';
  return {
    kind: 'field',
    default: defaultValue,
    doc,
    check(value) {
      // smol-toml returns integers beyond 2^53 as bigint.
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !(fraction ? Number.isFinite(n) : Number.isInteger(n))) {
        return { ok: false, message: `expected ${kind} from ${min} to ${max}, got ${describe(value)}` };
      }
      if (n < min || n > max) return { ok: false, message: `must be from ${min} to ${max}, got ${n}` };
      return { ok: true, value: n };
    },
    fromText: (text) => ((fraction ? /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/ : /^[+-]?\d+$/).test(text.trim()) ? Number(text.trim()) : text),
    // TOML reads 1.0 as a float and 1 as an integer: keep decimals looking like decimals.
    toToml: (value) => (fraction && Number.isInteger(value) ? value.toFixed(1) : String(value)),
  };
}

export function integer(defaultValue: number, options: { min: number; max: number; doc: string }): Field<number> {
  return numeric(defaultValue, options, false);
}

/** A number that may have a fraction; TOML may write it as an integer or a float. */
export function decimal(defaultValue: number, options: { min: number; max: number; doc: string }): Field<number> {
  return numeric(defaultValue, options, true);
}

export function boolean(defaultValue: boolean, doc: string): Field<boolean> {
  return {
    kind: 'field',
    default: defaultValue,
    doc,
    check(value) {
      if (typeof value !== 'boolean') return { ok: false, message: `expected true or false, got ${describe(value)}` };
      return { ok: true, value };
    },
    fromText(text) {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === '1') return true;
      if (t === 'false' || t === '0') return false;
      return text;
    },
    toToml: (value) => String(value),
  };
}

/**
 * A string; `validate` returns a message when the text is not acceptable (e.g. not an
 * address), so a bad value is reported at start, never later in a worker.
 */
export function string(
  defaultValue: string,
  options: { doc: string; validate?: (text: string) => string | undefined },
): Field<string> {
  const { doc, validate } = options;
  return {
    kind: 'field',
    default: defaultValue,
    doc,
    check(value) {
      if (typeof value !== 'string') return { ok: false, message: `expected a string, got ${describe(value)}` };
      const problem = validate?.(value);
      return problem === undefined ? { ok: true, value } : { ok: false, message: problem };
    },
    fromText: (text) => text,
    toToml: quote,
  };
}

export function oneOf<const V extends string>(values: readonly V[], defaultValue: V, doc: string): Field<V> {
  const list = values.map(quote).join(', ');
  return {
    kind: 'field',
    default: defaultValue,
    doc: `${doc} One of ${list}.`,
    check(value) {
      if (typeof value !== 'string' || !values.includes(value as V)) {
        return { ok: false, message: `expected one of ${list}, got ${describe(value)}` };
      }
      return { ok: true, value: value as V };
    },
    fromText: (text) => text.trim(),
    toToml: quote,
  };
}

/** A list of strings, each checked by `validate` (which returns a message or undefined). */
export function stringList(
  defaultValue: readonly string[],
  options: { doc: string; validate?: (text: string) => string | undefined },
): Field<readonly string[]> {
  const { doc, validate } = options;
  return {
    kind: 'field',
    default: defaultValue,
    doc,
    check(value) {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        return { ok: false, message: `expected an array of strings, got ${describe(value)}` };
      }
      for (const item of value as string[]) {
        const problem = validate?.(item);
        if (problem !== undefined) return { ok: false, message: `${JSON.stringify(item)}: ${problem}` };
      }
      return { ok: true, value: [...(value as string[])] };
    },
    // From the environment: comma-separated.
    fromText: (text) => (text.trim() === '' ? [] : text.split(',').map((item) => item.trim())),
    toToml: (value) => `[${value.map(quote).join(', ')}]`,
  };
}

export function section<F extends Fields>(doc: string, fields: F): Section<F> {
  return { kind: 'section', doc, fields };
}

export function isSection(node: Field<unknown> | Section<Fields>): node is Section<Fields> {
  return node.kind === 'section';
}

/** The configuration where every key has its default. */
export function defaultsOf<S extends Section<Fields>>(schema: S): Infer<S> {
  const out: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(schema.fields)) {
    out[key] = isSection(node) ? defaultsOf(node) : node.default;
  }
  return out as Infer<S>;
}
