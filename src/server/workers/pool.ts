// A multi-threaded tracker: socket_workers socket threads (one SO_REUSEPORT socket each,
// UDP or TCP) in front of swarm_workers shard threads (torrents split by info_hash[0]),
// joined by SPSC rings in shared memory. The main thread only starts, watches and stops them.
// The thread scripts are the executable's: BEP 15 shards for UDP and HTTP, WebTorrent
// shards for aquatic_ws.
import { Worker } from 'node:worker_threads';
import { AquaticError, ErrorCode } from '../../errors.js';
import type { SocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { ringBuffer } from '../../util/spsc-ring.js';
import type { ConnectionIdSecret } from '../udp/connection-id.js';
import type { UdpProtocolOptions } from '../udp/local-swarms.js';
import {
  DOORBELLS_BEFORE_WORKERS,
  FINAL_SNAPSHOT,
  type MainMessage,
  REPORT,
  SNAPSHOT,
  type ShardSettings,
  STOP,
  type WorkerMessage,
  type WorkerSetup,
  ring,
  shardBell,
} from './shared.js';
import { type CompletedCounts, type StoreSnapshot, countsOfShard, mergeTorrents } from '../../swarm/snapshot.js';
import { type TrackerFilesConfig, TrackerFiles, loadCompletedCounts } from '../../persistence/tracker-files.js';

/** Bytes per ring by default: room for several full batches of requests or replies. */
const RING_BYTES = 1 << 20;
/** How long workers get to finish on close before they are terminated. */
const STOP_TIMEOUT_MS = 5000;
/** How long shards get to send a snapshot of their store. */
const SNAPSHOT_TIMEOUT_MS = 10_000;

export interface WorkerPool {
  readonly port: number;
  /** Resolves with the error if a worker thread dies on its own. */
  readonly failure: Promise<Error>;
  reload(): void;
  /** The latest counters each worker reported (every statistics interval). */
  workerStats(): ReadonlyMap<string, Readonly<Record<string, number>>>;
  /** Asks every worker for its counters now; resolves when all answered (or after a second). */
  refreshStats(): Promise<ReadonlyMap<string, Readonly<Record<string, number>>>>;
  /** Every shard's store now (concurrent calls share one round trip); null if one did not answer in time. */
  snapshot(): Promise<readonly StoreSnapshot[] | null>;
  close(): Promise<void>;
}

export interface WorkerPoolOptions<C, P = UdpProtocolOptions, X = undefined> {
  /** The socket worker script. */
  readonly socketWorker: URL;
  /** The shard script; by default the BEP 15 shards (./swarm-worker.js). */
  readonly shardWorker?: URL;
  /** Bytes per ring (a power of two), at least 1 MiB; larger for bigger records. */
  readonly ringBytes?: number;
  /** Shared with every thread as `setup.extra`. */
  readonly extra: X;
  readonly config: C;
  readonly shard: ShardSettings<P>;
  readonly address: SocketAddress;
  readonly socketWorkers: number;
  readonly swarmWorkers: number;
  readonly secret: ConnectionIdSecret;
  /** What the listening log line says, e.g. "udp 0.0.0.0:3000". */
  readonly describe: (port: number) => string;
  /** The statistics line from all workers' counters: `sum` of a key, or its per-second `rate`. */
  readonly statisticsLine: (sum: (key: string) => number, rate: (key: string) => string) => string;
}

/**
 * Starts the workers. The saved completed counts (config.completed_counts) go to the shards
 * that own them; the counts file and the export are written from the shards' snapshots.
 */
export async function startWorkerPool<C extends TrackerFilesConfig, P = UdpProtocolOptions, X = undefined>(
  options: WorkerPoolOptions<C, P, X>,
  log: Logger,
): Promise<WorkerPool> {
  const { config, shard, secret, address, extra } = options;
  const ringBytes = Math.max(RING_BYTES, options.ringBytes ?? 0);
  const sockets = options.socketWorkers;
  const shards = options.swarmWorkers;
  const doorbells = new SharedArrayBuffer(4 * (DOORBELLS_BEFORE_WORKERS + shards + sockets));
  const bells = new Int32Array(doorbells);
  const requests = Array.from({ length: sockets }, () => Array.from({ length: shards }, () => ringBuffer(ringBytes)));
  const replies = Array.from({ length: shards }, () => Array.from({ length: sockets }, () => ringBuffer(ringBytes)));
  const workers: Worker[] = [];
  /** The threads with an event loop: shards never read posted messages (they would pile up), their doorbells reach them. */
  const socketThreads: Worker[] = [];
  let stopping = false;
  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const restored = await loadCompletedCounts(config, log);
  // Snapshots by shard: answers to the pending request, and the ones sent while stopping.
  const answered = new Map<number, StoreSnapshot>();
  let asked = 0;
  const finals = new Map<number, StoreSnapshot>();
  const snapshotWaiters: (() => void)[] = [];

  const spawn = (file: URL, name: string, index: number, port: number, counts?: CompletedCounts): Promise<number> => {
    const restoredCounts = counts === undefined ? {} : { restored: counts };
    const setup: WorkerSetup<C, P, X> = { config, shard, secret, index, socketWorkers: sockets, swarmWorkers: shards, doorbells, requests, replies, port, extra, ...restoredCounts };
    const worker = new Worker(file, { workerData: setup, name });
    workers.push(worker);
    if (file === options.socketWorker) socketThreads.push(worker);
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(message.port);
        else if (message.type === 'failed') reject(new AquaticError(ErrorCode.BIND, message.message));
        else if (message.type === 'stats') {
          statistics.set(message.worker, message.values);
          generations.set(message.worker, message.generation);
          for (const waiter of statsWaiters.splice(0)) waiter();
        } else if (message.type === 'snapshot') {
          if (message.generation === FINAL_SNAPSHOT) finals.set(message.shard, message.snapshot);
          else if (message.generation >= asked) answered.set(message.shard, message.snapshot);
          for (const waiter of snapshotWaiters.splice(0)) waiter();
        } else if (message.type === 'full-scrape') {
          void snapshot().then((all) =>
            worker.postMessage({ type: 'full-scrape', request: message.request, torrents: all === null ? null : mergeTorrents(all) } satisfies MainMessage),
          );
        }
      });
      worker.on('error', (error) => {
        reject(error);
        if (!stopping) {
          log.error(`${name} failed: ${error.stack ?? error.message}`);
          reportFailure(error);
        }
      });
      worker.on('exit', (code) => {
        reject(new Error(`${name} exited with code ${code} while starting`));
        if (!stopping) reportFailure(new Error(`${name} exited with code ${code}`));
      });
    });
  };

  const statistics = new Map<string, Readonly<Record<string, number>>>();
  const generations = new Map<string, number>();
  const statsWaiters: (() => void)[] = [];
  const swarmWorker = options.shardWorker ?? new URL('./swarm-worker.js', import.meta.url);
  let port = address.port;
  try {
    await Promise.all(Array.from({ length: shards }, (_, s) => spawn(swarmWorker, `swarm-${s + 1}`, s, 0, countsOfShard(restored, s, shards))));
    // The first socket worker binds (maybe port 0); the others join the port it got.
    port = await spawn(options.socketWorker, 'socket-1', 0, port);
    await Promise.all(Array.from({ length: sockets - 1 }, (_, k) => spawn(options.socketWorker, `socket-${k + 2}`, k + 1, port)));
  } catch (error) {
    stopping = true;
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  log.info(`listening on ${options.describe(port)} (${sockets} socket workers, ${shards} swarm workers)`);

  let printer: NodeJS.Timeout | undefined;
  if (shard.printStatistics) {
    const interval = shard.statisticsInterval;
    let last = new Map<string, number>();
    printer = setInterval(() => {
      const totals = new Map<string, number>();
      for (const values of statistics.values()) for (const [key, n] of Object.entries(values)) totals.set(key, (totals.get(key) ?? 0) + n);
      const sum = (key: string) => totals.get(key) ?? 0;
      const rate = (key: string) => ((sum(key) - (last.get(key) ?? 0)) / interval).toFixed(0);
      process.stdout.write(`${options.statisticsLine(sum, rate)}\n`);
      last = totals;
    }, interval * 1000);
    printer.unref();
  }

  let snapshotting: Promise<readonly StoreSnapshot[] | null> | null = null;
  function snapshot(): Promise<readonly StoreSnapshot[] | null> {
    snapshotting ??= (async () => {
      answered.clear();
      asked = Atomics.add(bells, SNAPSHOT, 1) + 1;
      for (let s = 0; s < shards; s++) ring(bells, shardBell(s));
      await until(() => answered.size === shards || Atomics.load(bells, STOP) !== 0, snapshotWaiters, SNAPSHOT_TIMEOUT_MS);
      return answered.size === shards ? Array.from({ length: shards }, (_, s) => answered.get(s)!) : null;
    })().finally(() => (snapshotting = null));
    return snapshotting;
  }

  const files = new TrackerFiles(shard.name, config, snapshot, log);

  // Socket workers check the access list; each re-reads the file on this signal.
  const reloadAccessList = () => {
    for (const worker of socketThreads) worker.postMessage({ type: 'reload-access-list' } satisfies MainMessage);
  };
  process.on('SIGUSR1', reloadAccessList);

  return {
    port,
    failure,
    reload: reloadAccessList,
    workerStats: () => statistics,
    async refreshStats() {
      const generation = Atomics.add(bells, REPORT, 1) + 1;
      for (let s = 0; s < shards; s++) ring(bells, DOORBELLS_BEFORE_WORKERS + s);
      for (const worker of socketThreads) worker.postMessage({ type: 'report', generation } satisfies MainMessage);
      await until(() => generations.size === workers.length && [...generations.values()].every((g) => g >= generation), statsWaiters, 1000);
      return statistics;
    },
    snapshot,
    async close() {
      if (stopping) return;
      stopping = true;
      process.off('SIGUSR1', reloadAccessList);
      if (printer !== undefined) clearInterval(printer);
      // Writes under way finish while the shards still answer.
      await files.stop();
      Atomics.store(bells, STOP, 1);
      for (const waiter of snapshotWaiters.splice(0)) waiter();
      for (let b = DOORBELLS_BEFORE_WORKERS; b < bells.length; b++) ring(bells, b);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void worker.terminate().then(() => resolve()), STOP_TIMEOUT_MS);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
      // The shards' last snapshots hold everything they served.
      await files.saveCounts(async () => (finals.size === shards ? Array.from({ length: shards }, (_, s) => finals.get(s)!) : null));
    },
  };
}

/** Waits until `done()` holds, re-checking whenever a waiter is called; false after `ms`. */
async function until(done: () => boolean, waiters: (() => void)[], ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return true;
}
