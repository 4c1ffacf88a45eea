// What the main thread hands each worker thread: the configuration, the connection-ID
// secret, and the shared memory they talk through. Doorbells are one Int32Array:
// slot 0 is the stop flag, slot 1 the report request, slot 2 the snapshot request, then one
// bell per shard worker, then one per socket worker (1: rung since the thread last looked
// for work).
// UDP and HTTP shards speak BEP 15 (HTTP socket workers forward announces and scrapes to
// them as BEP 15 datagrams too); aquatic_ws has its own shard script and records.
import type { ClusterConfig } from '../../config/common.js';
import type { LogLevel } from '../../util/log.js';
import type { ConnectionIdSecret } from '../udp/connection-id.js';
import type { UdpProtocolOptions } from '../udp/local-swarms.js';
import type { CompletedCounts, StoreSnapshot, TorrentStats } from '../../swarm/snapshot.js';

/** What a shard worker needs to know, whichever tracker it serves; `P`: its protocol options. */
export interface ShardSettings<P = UdpProtocolOptions> {
  /** The executable's name, for log lines. */
  readonly name: string;
  readonly logLevel: LogLevel;
  readonly protocol: P;
  /** The swarm clock shares the connection-ID epoch; this age is not used by shards. */
  readonly maxConnectionAge: number;
  readonly cleaningInterval: number;
  readonly statisticsInterval: number;
  readonly printStatistics: boolean;
  /** Workers send their counters every statistics interval (for printing or metrics). */
  readonly reportStatistics: boolean;
  /** Freed torrents whose completed counts each shard keeps. */
  readonly maxRetainedTorrents: number;
  /** Shards send a snapshot of their store as they stop (the completed counts are saved). */
  readonly finalSnapshot: boolean;
  /** Each shard shares its swarms through Redis when [cluster] is enabled; else null. */
  readonly cluster: ClusterConfig | null;
}

/** The configuration keys every tracker has that shards need. */
interface CommonConfig {
  readonly log_level: LogLevel;
  readonly cleaning: { readonly interval: number };
  readonly statistics: { readonly interval: number; readonly print_to_stdout: boolean };
  readonly metrics: { readonly enabled: boolean };
  readonly completed_counts: { readonly max_retained_torrents: number; readonly path: string };
  /** aquatic_udp and aquatic_http (aquatic_ws has no cluster sync). */
  readonly cluster?: ClusterConfig;
}

export function shardSettings<P>(name: string, config: CommonConfig, protocol: P, maxConnectionAge: number): ShardSettings<P> {
  return {
    name,
    logLevel: config.log_level,
    protocol,
    maxConnectionAge,
    cleaningInterval: config.cleaning.interval,
    statisticsInterval: config.statistics.interval,
    printStatistics: config.statistics.print_to_stdout,
    reportStatistics: config.statistics.print_to_stdout || config.metrics.enabled,
    maxRetainedTorrents: config.completed_counts.max_retained_torrents,
    finalSnapshot: config.completed_counts.path !== '',
    cluster: config.cluster?.enabled === true ? config.cluster : null,
  };
}

export interface WorkerSetup<C = unknown, P = UdpProtocolOptions, X = undefined> {
  /** The executable's whole configuration, for socket workers. */
  readonly config: C;
  readonly shard: ShardSettings<P>;
  readonly secret: ConnectionIdSecret;
  readonly index: number;
  readonly socketWorkers: number;
  readonly swarmWorkers: number;
  readonly doorbells: SharedArrayBuffer;
  /** requests[socket][shard] and replies[shard][socket]: one SPSC ring each. */
  readonly requests: readonly (readonly SharedArrayBuffer[])[];
  readonly replies: readonly (readonly SharedArrayBuffer[])[];
  /** Socket workers: the port to bind (the first one's actual port after binding port 0). */
  readonly port: number;
  /** Whatever else the executable's threads share (aquatic_ws: connection counters). */
  readonly extra: X;
  /** Shards: the saved completed counts of their torrents. */
  readonly restored?: CompletedCounts;
}

export const STOP = 0;
/** Bumped by the main thread when it wants every worker's counters now (metrics scrape). */
export const REPORT = 1;
/** Bumped by the main thread when it wants every shard's store snapshot (files, full scrape). */
export const SNAPSHOT = 2;
/** The generation of the snapshot a shard sends as it stops. */
export const FINAL_SNAPSHOT = -1;
export const DOORBELLS_BEFORE_WORKERS = 3;
export const shardBell = (shard: number) => DOORBELLS_BEFORE_WORKERS + shard;
export const socketBell = (setup: Pick<WorkerSetup, 'swarmWorkers'>, socket: number) => DOORBELLS_BEFORE_WORKERS + setup.swarmWorkers + socket;

/**
 * Rings a doorbell: sets it and wakes its thread, unless it was set already. A thread clears
 * its bell (`answerBell`) before it looks for work and sleeps only while the bell is clear,
 * so one wake-up per sleep is enough: the futex wake (a system call, and for a socket
 * worker's waitAsync a task posted to its event loop) is paid once per batch of batches,
 * not once per batch.
 */
export function ring(bells: Int32Array, index: number): void {
  if (Atomics.exchange(bells, index, 1) === 0) Atomics.notify(bells, index);
}

/** Clears this thread's doorbell before it looks for work; sleep with Atomics.wait(bells, index, 0). */
export function answerBell(bells: Int32Array, index: number): void {
  Atomics.store(bells, index, 0);
}

/** Messages from workers to the main thread. */
export type WorkerMessage =
  | { readonly type: 'ready'; readonly port: number }
  | { readonly type: 'failed'; readonly message: string }
  /** `generation`: the REPORT value this answers (or the latest seen, for periodic ones). */
  | { readonly type: 'stats'; readonly worker: string; readonly generation: number; readonly values: Readonly<Record<string, number>> }
  /** A shard's store: `generation` answers SNAPSHOT (or is FINAL_SNAPSHOT). Its buffers are transferred. */
  | { readonly type: 'snapshot'; readonly shard: number; readonly generation: number; readonly snapshot: StoreSnapshot }
  /** A socket worker wants every torrent for an HTTP full scrape. */
  | { readonly type: 'full-scrape'; readonly request: number };

/** From the main thread to socket workers (shards get REPORT through their doorbell). */
export type MainMessage =
  | { readonly type: 'reload-access-list' }
  | { readonly type: 'report'; readonly generation: number }
  /** Every torrent, answering a socket worker's full-scrape request (null: a shard did not answer). */
  | { readonly type: 'full-scrape'; readonly request: number; readonly torrents: TorrentStats | null };
