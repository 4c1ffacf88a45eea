// Cluster sync for one TorrentStore, run by the thread that owns the store (the tracker's
// thread, or each swarm shard): every sync_interval_ms one round, never more than one at a
// time, never on a request's path.
//
// Redis keys (P = key_prefix):
//   P peers:<hex info hash>  sorted set of the torrent's peers (records.ts: member = compact
//                            peer, score = expiry * 4 + state); the snapshot a node reads
//                            when it starts serving a torrent
//   P updates                stream of every node's updates, in batches of records; each
//                            node reads what the others added since its cursor
//   P downloaded             hash: hex info hash -> completed downloads (HINCRBY)
//   P nodes                  sorted set: node id -> last round (ms), the live nodes
//
// A round is one pipeline of a few commands: publish the queued updates (a Lua script per
// batch of about 2000: ZADD per torrent, trim, TTL, HINCRBY for completions, XADD the batch),
// heartbeat, read the stream from the cursor, and read the snapshots of torrents that
// appeared here (one script call). Replies are merged into the store. A second short
// pipeline reads the download totals of torrents other nodes reported completions for.
//
// Redis down or slow: rounds are skipped or fail (counted), updates wait in the outbox
// (bounded, oldest dropped and counted), the client reconnects with backoff, requests never
// wait. After a gap longer than the stream keeps, the node re-reads every torrent it serves.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis, type ChainableCommander } from 'ioredis';
import type { ClusterConfig } from '../config/common.js';
import { ipv4PeerKey, ipv6PeerKey } from '../swarm/peer-format.js';
import { PeerState } from '../swarm/swarm.js';
import type { TorrentStore } from '../swarm/torrents.js';
import type { Logger } from '../util/log.js';
import { ClusterOutbox, RECORD_FLAGS, RECORD_PEER, RECORD_SIZE, RECORD_VALID_UNTIL } from './outbox.js';
import { PUBLISH_LUA, SNAPSHOT_LUA } from './scripts.js';
import {
  FLAG_COMPLETED,
  FLAG_IPV6,
  FLAG_STATE,
  INFO_HASH_BYTES,
  STREAM_RECORD_EXPIRY,
  STREAM_RECORD_HEAD,
  hex,
  isPeerState,
  liveScoreFloor,
  peerBytes,
  readScore,
  streamRecordSize,
} from './records.js';

/** Bytes of records per stream entry and publish script call (about 2000 IPv4 updates). */
const STREAM_ENTRY_BYTES = 64 * 1024;
/** Stream entries per XREAD, and XREADs per round at most before the rest waits a round. */
const STREAM_READ_COUNT = 64;
const STREAM_READS_PER_ROUND = 16;
/** Torrent snapshots read per round at most. */
const SNAPSHOTS_PER_ROUND = 1000;
/** Sorted sets outlive their newest peer by this much (their entries expire by score anyway). */
const KEY_TTL_MARGIN_MS = 60_000;
const REDIS_MAJOR_NEEDED = 7;
/** Less than the second a peer's validUntil is rounded to where it announced. */
const SAME_SECOND = 0.5;

/** The clock peers' validUntil is on: whole seconds since `epochMs` (wall clock). */
export interface SwarmClock {
  readonly epochMs: number;
  now(): number;
}

export interface ClusterSyncOptions {
  readonly config: ClusterConfig;
  readonly store: TorrentStore;
  readonly clock: SwarmClock;
  /** Seconds a peer stays after its last announce ([cleaning] max_peer_age). */
  readonly maxPeerAge: number;
  readonly log: Logger;
  /** Which of the node's stores this is: "main", or the shard's name. */
  readonly worker: string;
}

/** The URL without a password, for log lines. */
function printable(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.username = '';
  return parsed.toString();
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

export class ClusterSync {
  readonly outbox: ClusterOutbox;
  private readonly client: Redis;
  private readonly store: TorrentStore;
  private readonly config: ClusterConfig;
  private readonly log: Logger;
  private readonly nodeId: string;
  /** Names this store's stream entries, so that it skips its own. */
  private readonly writer: string;
  private readonly keys: { readonly peers: string; readonly updates: string; readonly downloaded: string; readonly nodes: string };
  private readonly url: string;
  private readonly retentionMs: number;
  private readonly nodeTimeoutMs: number;
  private readonly keyTtlMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private closed = false;
  /** Redis's clock minus ours, measured every round. */
  private offsetMs = 0;
  /** The last stream entry id read; null until the first round. */
  private cursor: string | null = null;
  private lastReadMs = 0;
  /** Hex info hashes whose snapshot is still to be read. */
  private snapshotQueue: string[] = [];
  /** Next torrent id of a sweep over every torrent (after a long gap); -1: no sweep. */
  private sweepId = -1;
  private down = false;
  private failedRounds = 0;
  private everReady = false;
  private disabled = false;

  // Counters for metrics.
  published = 0;
  merged = 0;
  failures = 0;
  /** Completions given up because a round failed after sending them (Redis may have counted them). */
  lost = 0;
  nodes = 0;

  constructor(private readonly options: ClusterSyncOptions) {
    const { config, store, log } = options;
    this.config = config;
    this.store = store;
    this.log = log;
    this.url = printable(config.redis_url);
    this.nodeId = config.node_id === '' ? hostname() : config.node_id;
    this.writer = `${this.nodeId}/${options.worker}/${randomBytes(4).toString('hex')}`;
    const prefix = config.key_prefix;
    this.keys = { peers: `${prefix}peers:`, updates: `${prefix}updates`, downloaded: `${prefix}downloaded`, nodes: `${prefix}nodes` };
    const interval = config.sync_interval_ms;
    this.retentionMs = Math.max(60_000, 30 * interval);
    this.nodeTimeoutMs = Math.max(10_000, 10 * interval);
    this.keyTtlMs = options.maxPeerAge * 1000 + KEY_TTL_MARGIN_MS;
    // Republish unchanged peers often enough that copies elsewhere never expire first:
    // every 64 s with the default ages (a power of two at most max_peer_age / 16).
    this.outbox = new ClusterOutbox(config.max_queued_updates, 2 ** Math.max(0, Math.floor(Math.log2(options.maxPeerAge / 16))));
    const maxBackoff = clamp(10 * interval, 1000, 10_000);
    this.client = new Redis(config.redis_url, {
      lazyConnect: true,
      // Commands never queue while disconnected: the outbox is the only (bounded) queue.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      commandTimeout: clamp(5 * interval, 1000, 10_000),
      connectTimeout: clamp(5 * interval, 1000, 10_000),
      retryStrategy: (attempt) => Math.min(maxBackoff, 50 * 2 ** Math.min(attempt, 10)),
      connectionName: `aquatic:${this.nodeId}:${options.worker}`,
    });
    this.client.defineCommand('aquaticPublish', { numberOfKeys: 0, lua: PUBLISH_LUA });
    this.client.defineCommand('aquaticSnapshot', { numberOfKeys: 0, lua: SNAPSHOT_LUA });
    this.client.on('error', (error: Error) => this.noteDown(error.message));
    this.client.on('ready', () => {
      // Redis may have restarted empty: publish every peer again at its next announce.
      if (this.everReady) this.outbox.republishPeersBefore(options.clock.now() + options.maxPeerAge);
      this.everReady = true;
    });
    store.changes = this.outbox;
  }

  /** Connects in the background and starts the rounds; never waits for Redis. */
  start(): this {
    this.client.connect().catch((error: Error) => this.noteDown(error.message));
    this.schedule();
    return this;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.running = this.round().finally(() => {
        this.running = null;
        this.schedule();
      });
    }, this.config.sync_interval_ms);
    this.timer.unref();
  }

  /** Counters for statistics and metrics. */
  values(): Readonly<Record<string, number>> {
    return {
      clusterPublished: this.published,
      clusterDropped: this.outbox.dropped + this.lost,
      clusterMerged: this.merged,
      clusterFailures: this.failures,
      clusterConnected: this.client.status === 'ready' && !this.down ? 1 : 0,
      clusterNodes: this.nodes,
      clusterQueued: this.outbox.queued,
    };
  }

  private noteDown(reason: string): void {
    if (this.closed || this.down) return;
    this.down = true;
    this.log.warn(`Redis ${this.url} unavailable (${reason}): serving from local swarms, reconnecting with backoff`);
  }

  private noteUp(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info(`Redis ${this.url} reachable again after ${this.failedRounds} failed sync rounds`);
    this.failedRounds = 0;
  }

  private async round(): Promise<void> {
    if (this.disabled) return;
    if (this.client.status !== 'ready') {
      // Rounds while the first connection is still being made are not failures.
      if (this.everReady || this.down) {
        this.failures++;
        this.failedRounds++;
      }
      return;
    }
    try {
      if (this.cursor === null && !(await this.begin())) return;
      if (Date.now() + this.offsetMs - this.lastReadMs > this.retentionMs / 2) await this.resync();
      await this.exchange();
      this.noteUp();
    } catch (error) {
      this.failures++;
      this.failedRounds++;
      this.noteDown((error as Error).message);
    }
  }

  /** The first round: Redis's version and clock, and the stream position to read from. */
  private async begin(): Promise<boolean> {
    const sentAt = Date.now();
    const [time, info] = await Promise.all([this.client.time(), this.client.info('server')]);
    this.offsetMs = Number(time[0]) * 1000 + Number(time[1]) / 1000 - sentAt;
    const version = /redis_version:(\d+)\.(\S+)/.exec(info);
    if (version === null || Number(version[1]) < REDIS_MAJOR_NEEDED) {
      this.disabled = true;
      this.log.error(`Redis ${this.url} is version ${version === null ? 'unknown' : `${version[1]}.${version[2]}`}; cluster sync needs ${REDIS_MAJOR_NEEDED}.0 or newer and stays off`);
      return false;
    }
    await this.moveCursorToEnd();
    this.log.info(`sharing swarms through Redis ${this.url} as ${this.nodeId}`);
    return true;
  }

  /**
   * Reads the stream from its current end on: the id of its last entry, exactly (a time
   * would skip entries added in the same millisecond). What came before is in the snapshots.
   */
  private async moveCursorToEnd(): Promise<void> {
    const last = await this.client.xrevrange(this.keys.updates, '+', '-', 'COUNT', 1);
    this.cursor = last.length > 0 ? last[0]![0] : '0-0';
    this.lastReadMs = Date.now() + this.offsetMs;
  }

  /** After a gap the stream no longer covers: read every torrent's snapshot again. */
  private async resync(): Promise<void> {
    await this.moveCursorToEnd();
    this.sweepId = 0;
    this.log.info(`missed more than ${Math.round(this.retentionMs / 2000)} s of updates: re-reading the peers of every torrent served here`);
  }

  /** Up to SNAPSHOTS_PER_ROUND torrents to read in full: new ones first, then a sweep. */
  private nextSnapshots(): string[] {
    const picked = this.snapshotQueue.splice(0, SNAPSHOTS_PER_ROUND);
    if (this.sweepId >= 0) {
      const store = this.store;
      const hash = new Uint8Array(INFO_HASH_BYTES);
      while (picked.length < SNAPSHOTS_PER_ROUND && this.sweepId < store.torrentIdLimit) {
        if (store.copyInfoHash(this.sweepId++, hash, 0)) picked.push(hex(hash, 0));
      }
      if (this.sweepId >= store.torrentIdLimit) this.sweepId = -1;
    }
    return picked;
  }

  private async exchange(): Promise<void> {
    const taken = this.outbox.take();
    for (const created of taken.created) this.snapshotQueue.push(created);
    if (this.snapshotQueue.length > this.outbox.capacity) {
      this.outbox.dropped += this.snapshotQueue.length - this.outbox.capacity;
      this.snapshotQueue.splice(0, this.snapshotQueue.length - this.outbox.capacity);
    }
    const snapshots = this.nextSnapshots();
    const sentAt = Date.now();
    const nowMs = sentAt + this.offsetMs;
    const pipeline = this.client.pipeline() as Pipeline;
    pipeline.time();
    const publishedAt = pipeline.length;
    this.publish(pipeline, taken.records, taken.count, nowMs);
    const publishedUntil = pipeline.length;
    pipeline.zadd(this.keys.nodes, nowMs, this.nodeId);
    pipeline.zremrangebyscore(this.keys.nodes, '-inf', nowMs - this.nodeTimeoutMs);
    const nodesAt = pipeline.length;
    pipeline.zcard(this.keys.nodes);
    const streamAt = pipeline.length;
    pipeline.xreadBuffer('COUNT', STREAM_READ_COUNT, 'STREAMS', this.keys.updates, this.cursor!);
    const snapshotsAt = pipeline.length;
    if (snapshots.length > 0) pipeline.aquaticSnapshotBuffer(this.keys.peers, this.keys.downloaded, liveScoreFloor(nowMs), ...snapshots);
    let replies: unknown[];
    try {
      replies = await run(pipeline);
    } catch (error) {
      this.lost += this.outbox.putBack(taken.records, taken.count);
      this.snapshotQueue.unshift(...snapshots);
      throw error;
    }
    this.published += taken.count;
    const [seconds, micros] = replies[0] as [string, string];
    this.offsetMs = Number(seconds) * 1000 + Number(micros) / 1000 - sentAt;
    for (let at = publishedAt; at < publishedUntil; at++) {
      const totals = replies[at] as (string | number)[];
      for (let k = 0; k + 1 < totals.length; k += 2) this.setDownloaded(String(totals[k]), Number(totals[k + 1]));
    }
    this.nodes = Number(replies[nodesAt]);

    const completedElsewhere = new Set<string>();
    let read = this.applyStream(replies[streamAt] as StreamReply, completedElsewhere);
    for (let reads = 1; read === STREAM_READ_COUNT && reads < STREAM_READS_PER_ROUND; reads++) {
      read = this.applyStream(await this.client.xreadBuffer('COUNT', STREAM_READ_COUNT, 'STREAMS', this.keys.updates, this.cursor!), completedElsewhere);
    }
    // Only a node that caught up is current; one that stays behind for long resyncs.
    if (read < STREAM_READ_COUNT) this.lastReadMs = Date.now() + this.offsetMs;

    if (snapshots.length > 0) this.applySnapshots(snapshots, replies[snapshotsAt] as Buffer);
    for (const infoHash of snapshots) completedElsewhere.delete(infoHash);
    if (completedElsewhere.size > 0) {
      const hashes = [...completedElsewhere];
      const values = await this.client.hmget(this.keys.downloaded, ...hashes);
      for (let k = 0; k < hashes.length; k++) this.setDownloaded(hashes[k]!, Number(values[k] ?? 0));
    }
  }

  /**
   * Queues the taken records on the pipeline as stream records, in batches for the publish
   * script (which also writes them to the torrents' sorted sets and counts completions).
   */
  private publish(pipeline: Pipeline, records: Uint8Array, count: number, nowMs: number): void {
    const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
    const liveFloor = liveScoreFloor(nowMs);
    const minId = String(Math.floor(nowMs - this.retentionMs));
    let batch = Buffer.allocUnsafe(STREAM_ENTRY_BYTES);
    let used = 0;
    const send = () => {
      pipeline.aquaticPublish(this.keys.peers, this.keys.updates, this.keys.downloaded, liveFloor, this.keyTtlMs, minId, this.writer, batch.subarray(0, used));
      batch = Buffer.allocUnsafe(STREAM_ENTRY_BYTES);
      used = 0;
    };
    for (let r = 0; r < count; r++) {
      const at = r * RECORD_SIZE;
      const flags = records[at + RECORD_FLAGS]!;
      const size = streamRecordSize(flags);
      if (used + size > STREAM_ENTRY_BYTES) send();
      batch.set(records.subarray(at, at + INFO_HASH_BYTES + 1), used);
      batch.writeDoubleBE(this.redisMs(view.getUint32(at + RECORD_VALID_UNTIL)), used + STREAM_RECORD_EXPIRY);
      batch.set(records.subarray(at + RECORD_PEER, at + RECORD_PEER + peerBytes(flags)), used + STREAM_RECORD_HEAD);
      used += size;
    }
    if (used > 0) send();
  }

  /** Merges other nodes' stream entries; returns how many entries there were. */
  private applyStream(reply: StreamReply, completedElsewhere: Set<string>): number {
    if (reply === null || reply.length === 0) return 0;
    const entries = reply[0]![1];
    const swarmNow = this.options.clock.now();
    for (const [id, fields] of entries) {
      let writer = '';
      let batch: Buffer | null = null;
      for (let f = 0; f + 1 < fields.length; f += 2) {
        const name = fields[f]!.toString();
        if (name === 'w') writer = fields[f + 1]!.toString();
        else if (name === 'u') batch = fields[f + 1]!;
      }
      this.cursor = id.toString();
      if (writer === this.writer || batch === null) continue;
      const view = new DataView(batch.buffer, batch.byteOffset, batch.byteLength);
      for (let at = 0; at + STREAM_RECORD_HEAD <= batch.length; ) {
        const flags = batch[at + INFO_HASH_BYTES]!;
        const size = streamRecordSize(flags);
        if (at + size > batch.length || !isPeerState(flags & FLAG_STATE)) break; // not ours to read
        const served = this.merge(view, at, flags, batch, at + STREAM_RECORD_HEAD, view.getFloat64(at + STREAM_RECORD_EXPIRY), swarmNow);
        if (served && (flags & FLAG_COMPLETED) !== 0) completedElsewhere.add(hex(batch, at));
        at += size;
      }
    }
    return entries.length;
  }

  /** Merges the snapshot script's reply (scripts.ts) for these torrents, in order. */
  private applySnapshots(infoHashes: readonly string[], reply: Buffer): void {
    const view = new DataView(reply.buffer, reply.byteOffset, reply.byteLength);
    const hash = Buffer.allocUnsafe(INFO_HASH_BYTES);
    const hashView = new DataView(hash.buffer, hash.byteOffset, INFO_HASH_BYTES);
    const swarmNow = this.options.clock.now();
    let at = 0;
    for (const infoHash of infoHashes) {
      if (at + 12 > reply.length) return; // not the script's reply
      const entries = view.getUint32(at);
      const downloaded = view.getFloat64(at + 4);
      at += 12;
      hash.write(infoHash, 'hex');
      let served = true;
      for (let k = 0; k < entries && at < reply.length; k++) {
        const length = reply[at]!;
        const { expiry, state } = readScore(view.getFloat64(at + 1 + length));
        if (served && (length === 6 || length === 18) && isPeerState(state)) {
          served = this.merge(hashView, 0, state | (length === 18 ? FLAG_IPV6 : 0), reply, at + 1, expiry, swarmNow);
        }
        at += 1 + length + 8;
      }
      if (served) this.setDownloaded(infoHash, downloaded);
    }
  }

  /**
   * A time on the swarm clock as Unix ms on Redis's clock, which every node shares. The
   * mapping is exact (no rounding to seconds), so a peer's copies on every node compare as
   * they did at its origin.
   */
  private redisMs(swarmSeconds: number): number {
    return Math.round(this.options.clock.epochMs + swarmSeconds * 1000 + this.offsetMs);
  }

  private swarmSeconds(redisMs: number): number {
    return (redisMs - this.offsetMs - this.options.clock.epochMs) / 1000;
  }

  /**
   * Applies one remote update (expiry in Redis ms) of the torrent at view[hashAt] whose
   * compact peer is at peer[peerAt]; false when this store does not serve the torrent.
   */
  private merge(view: DataView, hashAt: number, flags: number, peer: Uint8Array, peerAt: number, expiry: number, swarmNow: number): boolean {
    let validUntil = this.swarmSeconds(expiry);
    if (validUntil < swarmNow) return true; // expired on the way: nothing to add or remove
    const state = (flags & FLAG_STATE) as PeerState;
    // A stop wins over an announce of the same second (the origin's clock has whole seconds).
    if (state === PeerState.ABSENT) validUntil += SAME_SECOND;
    const store = this.store;
    let served: boolean;
    if ((flags & FLAG_IPV6) !== 0) {
      const key = ipv6PeerKey(peer, peerAt, (peer[peerAt + 16]! << 8) | peer[peerAt + 17]!);
      served = store.mergePeer(store.ipv6, view, hashAt, key, state, validUntil);
    } else {
      const ip = ((peer[peerAt]! << 24) | (peer[peerAt + 1]! << 16) | (peer[peerAt + 2]! << 8) | peer[peerAt + 3]!) >>> 0;
      served = store.mergePeer(store.ipv4, view, hashAt, ipv4PeerKey(ip, (peer[peerAt + 4]! << 8) | peer[peerAt + 5]!), state, validUntil);
    }
    if (served) this.merged++;
    return served;
  }

  /** The cluster's total, plus downloads counted here that Redis has not been told of yet. */
  private setDownloaded(infoHash: string, total: number): void {
    const hash = Buffer.from(infoHash, 'hex');
    this.store.setDownloaded(new DataView(hash.buffer, hash.byteOffset, INFO_HASH_BYTES), 0, total + this.outbox.pendingCompletions(infoHash));
  }

  /** Stops the rounds, publishes what is queued if Redis is there (bounded by the command timeout), disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await this.running;
    if (this.client.status === 'ready' && this.cursor !== null && this.outbox.queued > 0) await this.round();
    if (this.options.store.changes === this.outbox) this.options.store.changes = null;
    this.client.disconnect();
  }
}

type StreamReply = [key: Buffer, entries: [id: Buffer, fields: Buffer[]][]][] | null;

/** A pipeline with the scripts defined in the constructor, and its count of commands (the index of each reply). */
type Pipeline = ChainableCommander & {
  readonly length: number;
  aquaticPublish(...args: (string | number | Buffer)[]): Pipeline;
  aquaticSnapshotBuffer(...args: (string | number)[]): Pipeline;
};

/** Executes a pipeline; the replies in order, or the first command's error. */
async function run(pipeline: ChainableCommander): Promise<unknown[]> {
  const results = await pipeline.exec();
  if (results === null) throw new Error('pipeline discarded');
  return results.map(([error, reply]) => {
    if (error !== null) throw error;
    return reply;
  });
}
