// What every socket worker thread (UDP or HTTP) does the same way: read its setup, log under
// its name, reach the shards through a ShardRouter, and drain shard replies whenever its
// doorbell rings (until the stop flag is set).
import { parentPort, workerData } from 'node:worker_threads';
import { Logger, type LogLevel } from '../../util/log.js';
import { RingReader, RingWriter } from '../../util/spsc-ring.js';
import { ShardRouter } from './shard-router.js';
import { type MainMessage, REPORT, STOP, type WorkerMessage, type WorkerSetup, answerBell, ring, shardBell, socketBell } from './shared.js';
import type { TorrentStats } from '../../swarm/snapshot.js';
import { type NativeUdpBinding, loadNativeBinding } from '../../transport/udp/binding.js';
import { type SocketAddress, parseSocketAddress } from '../../util/address.js';

const DRAIN_AT_LEAST_EVERY_MS = 1000;

export interface SocketWorkerContext<C, X> {
  readonly setup: WorkerSetup<C, unknown, X>;
  readonly config: C;
  readonly log: Logger;
  post(message: WorkerMessage): void;
  /** The router to the shards; `now` is the swarm clock in seconds. */
  createRouter(maxScrapeTorrents: number, now: () => number): ShardRouter;
  /**
   * Calls `drain` whenever the shards may have replied, and `stop` (then exits the thread)
   * once the main thread sets the stop flag.
   */
  onReplies(drain: () => void, stop: () => Promise<void>): void;
  /** Calls `reload` when the main thread asks (SIGUSR1: access list, certificates). */
  onReload(reload: () => void): void;
  /** Reports `collect()` every statistics interval (when wanted) and whenever asked. */
  serveStatistics(collect: () => Readonly<Record<string, number>>): void;
  /** Every torrent of every shard, through the main thread (null if a shard did not answer). */
  allTorrents(): Promise<TorrentStats | null>;
}

export function socketWorkerContext<C extends { readonly log_level: LogLevel }, X = undefined>(executable: string): SocketWorkerContext<C, X> {
  const setup = workerData as WorkerSetup<C, unknown, X>;
  const bells = new Int32Array(setup.doorbells);
  const me = socketBell(setup, setup.index);
  const worker = `socket-${setup.index + 1}`;
  let reload: () => void = () => {};
  let collect: () => Readonly<Record<string, number>> = () => ({});
  const post = (message: WorkerMessage) => parentPort!.postMessage(message);
  const torrentRequests = new Map<number, (torrents: TorrentStats | null) => void>();
  let nextRequest = 0;
  parentPort!.on('message', (message: MainMessage) => {
    if (message.type === 'reload-access-list') reload();
    else if (message.type === 'report') post({ type: 'stats', worker, generation: message.generation, values: collect() });
    else if (message.type === 'full-scrape') {
      torrentRequests.get(message.request)?.(message.torrents);
      torrentRequests.delete(message.request);
    }
  });
  return {
    setup,
    config: setup.config,
    log: new Logger(setup.config.log_level, `${executable} socket-${String(setup.index + 1).padStart(2, '0')}`),
    post,
    createRouter: (maxScrapeTorrents, now) =>
      new ShardRouter(
        setup.requests[setup.index]!.map((buffer) => new RingWriter(buffer)),
        setup.replies.map((perSocket) => new RingReader(perSocket[setup.index]!)),
        (shard) => ring(bells, shardBell(shard)),
        maxScrapeTorrents,
        now,
      ),
    onReplies(drain, stop) {
      const pump = (): void => {
        if (Atomics.load(bells, STOP) !== 0) {
          void stop().then(() => process.exit(0));
          return;
        }
        // Clear the bell before draining: a ring after this point ends the wait at once.
        answerBell(bells, me);
        drain();
        // Woken by the shards, or every second anyway so overdue requests are expired.
        const wait = Atomics.waitAsync(bells, me, 0, DRAIN_AT_LEAST_EVERY_MS);
        if (wait.async) void wait.value.then(pump);
        else setImmediate(pump);
      };
      pump();
    },
    onReload(callback) {
      reload = callback;
    },
    allTorrents() {
      const request = nextRequest++;
      post({ type: 'full-scrape', request });
      return new Promise((resolve) => torrentRequests.set(request, resolve));
    },
    serveStatistics(callback) {
      collect = callback;
      if (!setup.shard.reportStatistics) return;
      setInterval(() => post({ type: 'stats', worker, generation: Atomics.load(bells, REPORT), values: collect() }), setup.shard.statisticsInterval * 1000).unref();
    },
  };
}

/** What every native socket worker starts from: the addon and its [network] address (validated at load). */
export function nativeSocketSetup(configuredAddress: string): { binding: NativeUdpBinding; address: SocketAddress } {
  const { binding, reason } = loadNativeBinding();
  if (binding === null) throw new Error(`socket workers need the native addon: ${reason}`);
  const address = parseSocketAddress(configuredAddress);
  if (typeof address === 'string') throw new Error(address);
  return { binding, address };
}
