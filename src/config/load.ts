// Turns a TOML file and the environment into a validated, frozen configuration, and a
// configuration back into commented TOML. Validation happens once, at start.
import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import { AquaticError, ErrorCode } from '../errors.js';
import { type Field, type Fields, type Infer, type Section, isSection } from './schema.js';

/** Environment variables with this prefix set configuration keys: AQUATIC_NETWORK__ADDRESS. */
export const ENV_PREFIX = 'AQUATIC_';
/** AQUATIC_* variables that are switches, not configuration keys. */
const RESERVED_ENV = new Set(['AQUATIC_NATIVE']);

export interface LoadOptions {
  /** Path of a TOML file; absent means defaults (and the environment). */
  readonly file?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Loaded<T> {
  readonly config: T;
  /** Things worth telling the operator that are not errors (ignored environment variables). */
  readonly warnings: readonly string[];
}

type Raw = Record<string, unknown>;

export function loadConfig<S extends Section<Fields>>(schema: S, options: LoadOptions = {}): Loaded<Infer<S>> {
  const raw: Raw = options.file === undefined ? {} : readTomlFile(options.file);
  const origins = new Map<string, string>();
  const warnings = applyEnvironment(schema, raw, options.env ?? process.env, origins);
  const problems: string[] = [];
  const config = validateSection(schema, raw, [], origins, problems);
  if (problems.length > 0) {
    const where = options.file === undefined ? 'configuration' : `configuration file ${options.file}`;
    throw new AquaticError(
      ErrorCode.CONFIG_INVALID,
      `invalid ${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      problems,
    );
  }
  return { config: deepFreeze(config) as Infer<S>, warnings };
}

/** Validates an already-parsed object (e.g. from the embedding API) against the schema. */
export function validateConfig<S extends Section<Fields>>(schema: S, input: unknown): Infer<S> {
  const problems: string[] = [];
  const raw = isTable(input) ? input : {};
  if (!isTable(input)) problems.push('the configuration must be an object');
  const config = validateSection(schema, raw, [], new Map(), problems);
  if (problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  return deepFreeze(config) as Infer<S>;
}

function readTomlFile(path: string): Raw {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new AquaticError(ErrorCode.CONFIG_FILE, `cannot read configuration file ${path}: ${reason}`);
  }
  try {
    return parseToml(text) as Raw;
  } catch (error) {
    const detail = error instanceof TomlError ? `line ${error.line}, column ${error.column}: ${firstLine(error.message)}` : String(error);
    throw new AquaticError(ErrorCode.CONFIG_FILE, `configuration file ${path} is not valid TOML (${detail})`);
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

function isTable(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** AQUATIC_SECTION__KEY=value overrides `[section] key`; a single word is a top-level key. */
function applyEnvironment(schema: Section<Fields>, raw: Raw, env: NodeJS.ProcessEnv, origins: Map<string, string>): string[] {
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX) || RESERVED_ENV.has(name)) continue;
    const text = env[name];
    if (text === undefined) continue;
    const path = name.slice(ENV_PREFIX.length).toLowerCase().split('__');
    const field = findField(schema, path);
    if (field === undefined) {
      warnings.push(`environment variable ${name} names no configuration key (${path.join('.')}); ignored`);
      continue;
    }
    let table = raw;
    for (const key of path.slice(0, -1)) {
      const next = table[key];
      if (!isTable(next)) table[key] = {};
      table = table[key] as Raw;
    }
    table[path[path.length - 1]!] = field.fromText(text);
    origins.set(path.join('.'), name);
  }
  return warnings;
}

function findField(schema: Section<Fields>, path: readonly string[]): Field<unknown> | undefined {
  let node: Field<unknown> | Section<Fields> = schema;
  for (const key of path) {
    if (!isSection(node) || !Object.hasOwn(node.fields, key)) return undefined;
    node = node.fields[key]!;
  }
  return isSection(node) ? undefined : node;
}

function validateSection(
  schema: Section<Fields>,
  raw: Raw,
  path: readonly string[],
  origins: ReadonlyMap<string, string>,
  problems: string[],
): Raw {
  const out: Raw = {};
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(schema.fields, key)) {
      const name = [...path, key].join('.');
      const hint = closestKey(key, Object.keys(schema.fields));
      problems.push(`unknown key \`${name}\`${hint === undefined ? '' : ` (did you mean \`${[...path, hint].join('.')}\`?)`}`);
    }
  }
  for (const [key, node] of Object.entries(schema.fields)) {
    const keyPath = [...path, key];
    const name = keyPath.join('.');
    const value = raw[key];
    if (isSection(node)) {
      if (value !== undefined && !isTable(value)) {
        problems.push(`\`${name}\` must be a table ([${name}]), got ${typeof value}`);
        out[key] = validateSection(node, {}, keyPath, origins, problems);
      } else {
        out[key] = validateSection(node, value ?? {}, keyPath, origins, problems);
      }
      continue;
    }
    if (value === undefined) {
      out[key] = node.default;
      continue;
    }
    const result = node.check(value);
    if (result.ok) {
      out[key] = result.value;
    } else {
      const origin = origins.get(name);
      problems.push(`\`${name}\`${origin === undefined ? '' : ` (from ${origin})`}: ${result.message}`);
    }
  }
  return out;
}

/** The known key within edit distance 2 of an unknown one, to suggest a fix for a typo. */
function closestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * The configuration as TOML, every key preceded by its one-line documentation. With the
 * defaults this is `-p`; with a loaded configuration it is `-P`.
 */
export function renderToml<S extends Section<Fields>>(schema: S, values: Infer<S>, header: readonly string[]): string {
  const lines = header.map((line) => (line === '' ? '#' : `# ${line}`));
  renderSection(schema, values as Raw, [], lines);
  return `${lines.join('\n')}\n`;
}

function renderSection(schema: Section<Fields>, values: Raw, path: readonly string[], lines: string[]): void {
  const entries = Object.entries(schema.fields);
  // TOML needs a table's plain keys before its sub-tables.
  for (const [key, node] of entries) {
    if (isSection(node)) continue;
    lines.push('', ...node.doc.split('\n').map((line) => `# ${line}`), `${key} = ${node.toToml(values[key])}`);
  }
  for (const [key, node] of entries) {
    if (!isSection(node)) continue;
    const keyPath = [...path, key];
    lines.push('', ...node.doc.split('\n').map((line) => `# ${line}`), `[${keyPath.join('.')}]`);
    renderSection(node, values[key] as Raw, keyPath, lines);
  }
}
