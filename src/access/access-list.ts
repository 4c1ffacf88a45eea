// Info hash allow/deny lists (aquatic's [access_list], opentracker's white/black lists): a
// file of 40-character hex info hashes, one per line, with blank lines and # comments.
// Lookups go through an InfoHashTable, so checking costs what a swarm lookup costs.
import { readFileSync } from 'node:fs';
import { AquaticError, ErrorCode } from '../errors.js';
import { InfoHashTable } from '../swarm/info-hash-table.js';

export const ACCESS_LIST_MODES = ['off', 'allow', 'deny'] as const;
export type AccessListMode = (typeof ACCESS_LIST_MODES)[number];

export class AccessList {
  static readonly OFF = new AccessList('off', new InfoHashTable());

  constructor(
    readonly mode: AccessListMode,
    private readonly hashes: InfoHashTable,
  ) {}

  get size(): number {
    return this.hashes.size;
  }

  /** Whether the 20-byte info hash at view[at] may be announced. */
  allows(view: DataView, at: number): boolean {
    if (this.mode === 'off') return true;
    return (this.hashes.find(view, at) >= 0) === (this.mode === 'allow');
  }
}

export interface ParsedAccessList {
  readonly hashes: InfoHashTable;
  /** "line N: …" for every line that is not an info hash, a comment or blank. */
  readonly problems: readonly string[];
}

export function parseAccessList(text: string): ParsedAccessList {
  const hashes = new InfoHashTable();
  const problems: string[] = [];
  const bytes = new Uint8Array(20);
  const view = new DataView(bytes.buffer);
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (!/^[0-9a-fA-F]{40}$/.test(line)) {
      problems.push(`line ${n + 1}: not a 40-character hex info hash: ${JSON.stringify(line.slice(0, 60))}`);
      continue;
    }
    bytes.set(Buffer.from(line, 'hex'));
    hashes.insert(view, 0);
  }
  return { hashes, problems };
}

/** Reads the list file; throws AquaticError naming the key when it cannot be read. */
export function loadAccessList(mode: AccessListMode, path: string): { list: AccessList; problems: readonly string[] } {
  if (mode === 'off') return { list: AccessList.OFF, problems: [] };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `\`access_list.path\`: cannot read ${JSON.stringify(path)} (${reason}) for mode "${mode}"`);
  }
  const { hashes, problems } = parseAccessList(text);
  return { list: new AccessList(mode, hashes), problems };
}

/**
 * Holds the current list and replaces it on reload. A reload that fails keeps the old list
 * (only the first load at start is fatal), and bad lines are reported, not fatal.
 */
export class AccessListHolder {
  current: AccessList;

  constructor(
    private readonly mode: AccessListMode,
    private readonly path: string,
    private readonly report: (message: string) => void,
  ) {
    const { list, problems } = loadAccessList(mode, path);
    this.current = list;
    this.reportProblems(problems);
  }

  reload(): void {
    if (this.mode === 'off') return;
    try {
      const { list, problems } = loadAccessList(this.mode, this.path);
      this.current = list;
      this.reportProblems(problems);
      this.report(`access list reloaded: ${list.size} info hashes (${this.mode})`);
    } catch (error) {
      this.report(`access list not reloaded, keeping the old one: ${(error as Error).message}`);
    }
  }

  private reportProblems(problems: readonly string[]): void {
    for (const problem of problems.slice(0, 20)) this.report(`access list ${this.path}: ${problem}`);
    if (problems.length > 20) this.report(`access list ${this.path}: ${problems.length - 20} more bad lines`);
  }
}
