// Timers every tracker runs: the cleaning sweep and the statistics line. Both are unref'd,
// so they never keep a process alive on their own.
import type { AccessList } from '../access/access-list.js';
import type { TorrentStore } from '../swarm/torrents.js';
import { storeValues } from '../metrics/tracker-samples.js';
import type { Logger } from '../util/log.js';

/**
 * Expires peers and frees empty torrents every `seconds`, on the swarm clock `now`; with an
 * access list, torrents it no longer allows are dropped too.
 */
export function startCleaning(
  store: TorrentStore,
  now: () => number,
  seconds: number,
  log: Logger,
  access?: { readonly current: AccessList },
): NodeJS.Timeout {
  const timer = setInterval(() => {
    const started = performance.now();
    const list = access?.current;
    const keep = list === undefined || list.mode === 'off' ? undefined : (view: DataView, at: number) => list.allows(view, at);
    const { peersRemoved, torrentsRemoved } = store.clean(now(), keep);
    if (log.debugEnabled) {
      log.debug(`cleaned ${peersRemoved} peers and ${torrentsRemoved} torrents in ${(performance.now() - started).toFixed(1)} ms`);
    }
  }, seconds * 1000);
  timer.unref();
  return timer;
}

/**
 * Prints a line to stdout every `seconds`: `line` gets a function giving the per-second
 * rate of a counter since the last line.
 */
export function startStatisticsLine<C extends object>(seconds: number, counters: C, line: (rate: (key: keyof C) => string) => string): NodeJS.Timeout {
  let last = { ...counters };
  const timer = setInterval(() => {
    const rate = (key: keyof C) => (((counters[key] as number) - (last[key] as number)) / seconds).toFixed(0);
    process.stdout.write(`${line(rate)}\n`);
    last = { ...counters };
  }, seconds * 1000);
  timer.unref();
  return timer;
}

export function swarmSummary(store: TorrentStore): string {
  return summaryOf(storeValues(store));
}

/** The swarm part of a statistics line from store counters (one store's, or summed over shards). */
export function summaryOf(values: { readonly [key: string]: number | undefined }): string {
  const n = (key: string) => values[key] ?? 0;
  return `torrents ${n('torrents')}, peers ${n('peersIpv4')} IPv4 + ${n('peersIpv6')} IPv6 (${n('seedersIpv4') + n('seedersIpv6')} seeders)`;
}

/** The store keys of summed worker counters, for summaryOf. */
export function storeKeys(sum: (key: string) => number): Record<string, number> {
  const keys = ['torrents', 'peersIpv4', 'peersIpv6', 'seedersIpv4', 'seedersIpv6'];
  return Object.fromEntries(keys.map((key) => [key, sum(key)]));
}

/**
 * The close() of a tracker running in this thread: stop listening for SIGUSR1, stop its
 * timers, then close its sockets.
 */
export function closeInOrder(onSigusr1: () => void, timers: readonly (NodeJS.Timeout | undefined)[], closeSockets: () => Promise<void>): () => Promise<void> {
  return async () => {
    process.off('SIGUSR1', onSigusr1);
    for (const timer of timers) if (timer !== undefined) clearInterval(timer);
    await closeSockets();
  };
}
