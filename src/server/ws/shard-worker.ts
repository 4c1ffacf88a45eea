// An aquatic_ws shard thread: owns the WebTorrent torrents whose info_hash[0] %
// swarm_workers is its index. Socket workers send it decoded announces, answers, scrapes
// and connection closes; it runs the same WsMessageHandler as the single-thread tracker on
// links that lead back to them, so peer_id binding, offer choice, answer checks and counts
// are the same code. What the handler sends a connection goes, as JSON text, into the ring
// of the socket worker that holds it.
import { PeerClientCounts } from '../../metrics/peer-clients.js';
import { retainedValues } from '../../metrics/tracker-samples.js';
import { ConnectionIdValidator } from '../udp/connection-id.js';
import { shardWorkerContext } from '../workers/shard-side.js';
import { WsTorrents, type WsTorrentCounts } from '../../swarm/ws-swarms.js';
import { WsConnection } from './connection.js';
import { type RemoteLink, type WsSharedMemory, sharedSwarmQuota } from './connection-slots.js';
import { WsMessageHandler, type WsProtocolOptions } from './handler.js';
import {
  FULL_SCRAPE_ENTRY,
  FULL_SCRAPE_PART_ENTRIES,
  type RecordSink,
  SCRAPE_ENTRY,
  ShardRecord,
  allocScrapeReply,
  readAnnounce,
  readAnswer,
  readScrapeHashes,
  recordConnection,
  recordKind,
  recordTag,
  ringViews,
  writeText,
  writeUtf8,
} from './shard-records.js';

/** Records taken from one socket worker before its replies are published. */
const BATCH = 256;

/** A shard's protocol options: the handler's, and whether [metrics] peer_clients counts announces. */
export interface WsShardOptions extends WsProtocolOptions {
  readonly peerClients: boolean;
}

const { setup, settings, log, readers, writers, wake, allocWaiting, run } = shardWorkerContext<WsShardOptions, WsSharedMemory>();
// A clock in whole seconds that never goes backwards (peer and offer expiry).
const clock = new ConnectionIdValidator(setup.secret, 0);
const torrents = new WsTorrents<WsConnection<RemoteLink>>(Math.ceil(settings.maxRetainedTorrents / setup.swarmWorkers));
if (setup.restored !== undefined) torrents.retained.restore(setup.restored);
const peerClients = settings.protocol.peerClients ? new PeerClientCounts() : null;
const handler = new WsMessageHandler<RemoteLink>(
  torrents,
  settings.protocol,
  () => clock.now,
  undefined, // the access list is checked by the socket workers
  peerClients,
  null, // hooks run in one thread only
  sharedSwarmQuota(setup.extra, settings.protocol.maxSwarmsPerConnection),
);
const inputs = readers.map((reader) => ringViews(reader.data));
const sinks: RecordSink[] = writers.map((writer, k) => ({ ...ringViews(writer.data), alloc: (length: number) => allocWaiting(k, length) }));
const touched = writers.map(() => false);
/** Connections that sent this shard something, per socket worker, by id. */
const connections = readers.map(() => new Map<number, WsConnection<RemoteLink>>());
const counts: WsTorrentCounts = { seeders: 0, leechers: 0, downloaded: 0 };
let droppedReplies = 0;

class ShardLink implements RemoteLink {
  /** Unknown here; its only reader, the embedder's hooks, never runs with workers. */
  readonly remoteAddress = '';

  constructor(
    readonly worker: number,
    readonly id: number,
  ) {}

  send(text: string): void {
    this.sent(writeText(sinks[this.worker]!, this.id, text));
  }

  sendUtf8(bytes: Uint8Array, start: number, end: number): void {
    this.sent(writeUtf8(sinks[this.worker]!, this.id, bytes, start, end));
  }

  private sent(written: boolean): void {
    if (written) touched[this.worker] = true;
    else droppedReplies++;
  }
}

function connectionOf(k: number, id: number): WsConnection<RemoteLink> {
  let connection = connections[k]!.get(id);
  if (connection === undefined) {
    connection = new WsConnection<RemoteLink>(new ShardLink(k, id));
    connections[k]!.set(id, connection);
  }
  return connection;
}

function writeCounts(sink: RecordSink, at: number, infoHash: string): void {
  torrents.scrape(infoHash, counts);
  sink.view.setUint32(at, counts.seeders);
  sink.view.setUint32(at + 4, counts.leechers);
  sink.view.setUint32(at + 8, counts.downloaded);
}

function scrape(k: number, id: number, tag: number, infoHashes: readonly string[]): void {
  const sink = sinks[k]!;
  const at = allocScrapeReply(sink, id, tag, infoHashes.length);
  if (at < 0) {
    droppedReplies++;
    return;
  }
  for (let i = 0; i < infoHashes.length; i++) writeCounts(sink, at + i * SCRAPE_ENTRY, infoHashes[i]!);
  touched[k] = true;
}

/** Every torrent of this shard, in parts of FULL_SCRAPE_PART_ENTRIES (allow_full_scrape). */
function fullScrape(k: number, id: number, tag: number): void {
  const sink = sinks[k]!;
  const all = [...torrents.entries()].map(([infoHash]) => infoHash);
  let from = 0;
  do {
    const part = all.slice(from, from + FULL_SCRAPE_PART_ENTRIES);
    from += part.length;
    const at = allocScrapeReply(sink, id, tag, part.length, from >= all.length);
    if (at < 0) {
      droppedReplies++;
      return;
    }
    for (let i = 0; i < part.length; i++) {
      const entry = at + i * FULL_SCRAPE_ENTRY;
      sink.bytes.write(part[i]!, entry, 20, 'latin1');
      writeCounts(sink, entry + 20, part[i]!);
    }
    touched[k] = true;
  } while (from < all.length);
}

function serve(k: number): number {
  const reader = readers[k]!;
  const { bytes, view } = inputs[k]!;
  let taken = 0;
  for (;;) {
    let n = 0;
    for (let at = reader.next(); at >= 0; at = n < BATCH ? reader.next() : -1) {
      if (n++ === 0) clock.tick();
      const id = recordConnection(view, at);
      switch (recordKind(bytes, at)) {
        case ShardRecord.ANNOUNCE:
          handler.handle(connectionOf(k, id), readAnnounce(bytes, view, at));
          break;
        case ShardRecord.ANSWER:
          handler.handle(connectionOf(k, id), readAnswer(bytes, at, reader.length));
          break;
        case ShardRecord.SCRAPE:
          scrape(k, id, recordTag(view, at), readScrapeHashes(bytes, at, reader.length));
          break;
        case ShardRecord.FULL_SCRAPE:
          fullScrape(k, id, recordTag(view, at));
          break;
        case ShardRecord.CLOSE: {
          const connection = connections[k]!.get(id);
          if (connection !== undefined) {
            handler.close(connection);
            connections[k]!.delete(id);
          }
          break;
        }
      }
    }
    reader.release();
    for (let w = 0; w < writers.length; w++) {
      if (!touched[w]) continue;
      touched[w] = false;
      writers[w]!.publish();
      wake(w);
    }
    taken += n;
    if (n < BATCH) return taken;
  }
}

await run({
  serve,
  clean() {
    clock.tick();
    const { peersRemoved, torrentsRemoved } = torrents.clean(clock.now, handler.forgetExpired);
    if (log.debugEnabled) log.debug(`cleaned ${peersRemoved} peers and ${torrentsRemoved} torrents`);
  },
  values() {
    const { scrapes: _answeredBySocketWorkers, ...counters } = handler.counters;
    return {
      ...counters,
      torrents: torrents.torrentCount,
      peers: torrents.peers,
      seeders: torrents.seeders,
      droppedReplies,
      ...peerClients?.values(),
      ...retainedValues(torrents.retained),
    };
  },
  snapshot: () => torrents.snapshot(),
});
