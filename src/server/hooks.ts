// Embedders' hooks (the embedding API's `filter`, `onAnnounce`, `onScrape`, after
// bittorrent-tracker's `filter` option): synchronous functions the single-thread trackers
// call per announce and scrape. A request becomes a plain object only when a hook wants
// it; without hooks a handler tests one null per announce or scrape.
import { AquaticError, ErrorCode } from '../errors.js';
import type { Logger } from '../util/log.js';

export type TrackerProtocol = 'udp' | 'http' | 'ws';
export type AnnounceEvent = 'started' | 'completed' | 'stopped' | 'update';

/** One announce as the hooks see it. A fresh object per announce: hooks may keep it. */
export interface AnnounceParams {
  readonly protocol: TrackerProtocol;
  /** 40 lower-case hex digits. */
  readonly infoHash: string;
  /** 40 lower-case hex digits. */
  readonly peerId: string;
  /** The client's address as the tracker uses it: IPv4 dotted (also for IPv4-mapped IPv6), else IPv6; behind a trusted reverse proxy, the proxy's header. */
  readonly ip: string;
  /** The port the peer announced; 0 over WebSocket, where peers meet through WebRTC offers. */
  readonly port: number;
  readonly event: AnnounceEvent;
  /** `left` is 0. */
  readonly seeder: boolean;
  /** As sent: UDP and HTTP use -1 for "absent" (the tracker's default). */
  readonly numwant: number;
  /** Bytes, as reported; null over WebSocket (the tracker does not read them there). */
  readonly uploaded: number | null;
  readonly downloaded: number | null;
  readonly left: number | null;
}

export interface ScrapeParams {
  readonly protocol: TrackerProtocol;
  readonly ip: string;
  /** The info hashes asked for, 40 lower-case hex digits each; empty for a WebSocket full scrape. */
  readonly infoHashes: readonly string[];
}

/**
 * What an embedder may pass next to the configuration. Hooks run synchronously inside the
 * request loop (the UDP tracker handles a whole batch of datagrams in one call), so they
 * must return at once: no Promises, no I/O.
 */
export interface TrackerHooks {
  /**
   * Decides whether an announce (every event, `stopped` included) may touch the swarms:
   * `true` admits it; `false` refuses it as a forbidden info hash ("Info hash not allowed",
   * the access list's reply); a non-empty string refuses it with that reason (cut to
   * MAX_REFUSAL_REASON_LENGTH characters; UDP error packets carry ASCII only). Anything
   * else, a thrown exception included, refuses. The access list, when configured, is
   * checked as well; either refusal is the same kind of reply.
   */
  readonly filter?: (infoHash: string, params: AnnounceParams) => boolean | string;
  /** After an announce was admitted and applied to the swarms (the reply is written or queued). */
  readonly onAnnounce?: (params: AnnounceParams) => void;
  /** After a scrape was answered. */
  readonly onScrape?: (params: ScrapeParams) => void;
}

/** Refusal reasons are cut to this many characters, so that any reply still fits one datagram or reply buffer. */
export const MAX_REFUSAL_REASON_LENGTH = 80;
/** The access list's reason, also given for a filter's `false`. */
export const FORBIDDEN_REASON = 'Info hash not allowed';
/** Between two log lines about hooks that throw, so a broken hook cannot flood the log. */
const HOOK_ERROR_LOG_INTERVAL_MS = 10_000;

const EVENTS: readonly AnnounceEvent[] = ['update', 'completed', 'started', 'stopped']; // BEP 15 numbering

/** The event name for a BEP 15 event number (HTTP announces use the same numbering). */
export function announceEventName(event: number): AnnounceEvent {
  return EVENTS[event] ?? 'update';
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** bytes[at, at + 20) as 40 lower-case hex digits. */
export function hex20(bytes: ArrayLike<number>, at: number): string {
  let text = '';
  for (let i = 0; i < 20; i++) text += HEX_PAIRS[bytes[at + i]!]!;
  return text;
}

/** A 20-character binary string (WebTorrent ids, code points 0-255) as 40 hex digits. */
export function hexOfBinaryString(text: string): string {
  let hex = '';
  for (let i = 0; i < text.length; i++) hex += HEX_PAIRS[text.charCodeAt(i) & 255]!;
  return hex;
}

/** Calls the hooks for a handler, catching what they throw. */
export class HookRunner {
  /** Whether announces must be turned into AnnounceParams. */
  readonly announces: boolean;
  /** Whether scrapes must be turned into ScrapeParams. */
  readonly scrapes: boolean;
  /** Exceptions thrown by hooks, and filters that returned a Promise. */
  failures = 0;
  private quietUntil = 0;

  constructor(
    private readonly hooks: TrackerHooks,
    private readonly log: Logger,
  ) {
    this.announces = hooks.filter !== undefined || hooks.onAnnounce !== undefined;
    this.scrapes = hooks.onScrape !== undefined;
  }

  /** null when the filter admits the announce (or there is none), else the reason to refuse it with. */
  refusal(params: AnnounceParams): string | null {
    const filter = this.hooks.filter;
    if (filter === undefined) return null;
    let verdict: unknown;
    try {
      verdict = filter(params.infoHash, params);
    } catch (error) {
      this.failed('filter', error);
      return FORBIDDEN_REASON;
    }
    if (verdict === true) return null;
    if (typeof verdict === 'string' && verdict !== '') return verdict.slice(0, MAX_REFUSAL_REASON_LENGTH);
    if (typeof (verdict as { then?: unknown } | null)?.then === 'function') {
      this.failed('filter', new TypeError('filter returned a Promise: hooks must be synchronous (the announce was refused)'));
    }
    return FORBIDDEN_REASON;
  }

  announced(params: AnnounceParams): void {
    const onAnnounce = this.hooks.onAnnounce;
    if (onAnnounce === undefined) return;
    try {
      onAnnounce(params);
    } catch (error) {
      this.failed('onAnnounce', error);
    }
  }

  scraped(params: ScrapeParams): void {
    try {
      this.hooks.onScrape?.(params);
    } catch (error) {
      this.failed('onScrape', error);
    }
  }

  private failed(hook: string, error: unknown): void {
    this.failures++;
    const now = Date.now();
    if (now < this.quietUntil) return;
    this.quietUntil = now + HOOK_ERROR_LOG_INTERVAL_MS;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.log.error(`${hook} hook failed (${this.failures} hook failures so far; next report in 10 s at the earliest): ${detail}`);
  }
}

type ThreadCounts = { readonly socket_workers: number; readonly swarm_workers?: number };

/**
 * Throws when the hooks are not functions, or when they come with worker threads: hooks are
 * functions of this thread and cannot run in workers, so that combination is refused rather
 * than silently ignoring the hooks. Returns whether any hook is given.
 */
export function checkHooks(hooks: TrackerHooks | undefined, config: ThreadCounts): boolean {
  if (hooks === undefined) return false;
  for (const name of ['filter', 'onAnnounce', 'onScrape'] as const) {
    const hook: unknown = hooks[name];
    if (hook !== undefined && typeof hook !== 'function') {
      throw new AquaticError(ErrorCode.HOOKS_INVALID, `hook \`${name}\` must be a function, not ${hook === null ? 'null' : typeof hook}`);
    }
  }
  if (hooks.filter === undefined && hooks.onAnnounce === undefined && hooks.onScrape === undefined) return false;
  const swarmWorkers = config.swarm_workers ?? 1;
  if (config.socket_workers > 1 || swarmWorkers > 1) {
    const both = config.swarm_workers !== undefined;
    throw new AquaticError(
      ErrorCode.HOOKS_INVALID,
      `hooks (filter, onAnnounce, onScrape) run in the tracker's own thread and cannot reach worker threads: ` +
        `use socket_workers = 1${both ? ' and swarm_workers = 1' : ''} with hooks ` +
        `(got socket_workers = ${config.socket_workers}${both ? `, swarm_workers = ${swarmWorkers}` : ''})`,
    );
  }
  return true;
}

/** The runner for `hooks` (see checkHooks), or null when no hook is given. */
export function hookRunnerFor(hooks: TrackerHooks | undefined, config: ThreadCounts, log: Logger): HookRunner | null {
  return hooks !== undefined && checkHooks(hooks, config) ? new HookRunner(hooks, log) : null;
}
