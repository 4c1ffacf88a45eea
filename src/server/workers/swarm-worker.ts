// A shard worker thread: owns the torrents whose info_hash[0] % swarm_workers is its
// index. It sleeps on its doorbell, takes request records (BEP 15 datagrams) from every
// socket worker's ring in batches, answers them with the same handler as the single-thread
// UDP tracker (connection IDs were checked by the socket worker) and writes the replies back.
// With [cluster] enabled the shard also runs the Redis sync of its store (its loop then
// keeps the event loop turning: shard-side.ts).
import { storeValues } from '../../metrics/tracker-samples.js';
import { TorrentStore } from '../../swarm/torrents.js';
import { META_LENGTH, META_REPLY_TO, META_STRIDE, SLOT_SIZE, createPacketBatch } from '../../transport/udp/batch.js';
import { ConnectionIdValidator } from '../udp/connection-id.js';
import { UdpRequestHandler } from '../udp/handler.js';
import { LocalSwarms } from '../udp/local-swarms.js';
import { startClusterSync } from '../../cluster/start.js';
import { REPLY_RECORD_HEADER, REQUEST_RECORD_HEADER } from './shard-router.js';
import { shardWorkerContext } from './shard-side.js';

const BATCH = 256;

const { setup, settings, log, readers, writers, wake, run } = shardWorkerContext();
const clock = new ConnectionIdValidator(setup.secret, settings.maxConnectionAge);
const store = new TorrentStore(Math.ceil(settings.maxRetainedTorrents / setup.swarmWorkers));
if (setup.restored !== undefined) store.retained.restore(setup.restored);
const handler = new UdpRequestHandler(clock, new LocalSwarms(store, clock, settings.protocol), log, false);
const writerViews = writers.map((w) => new DataView(w.data.buffer, w.data.byteOffset, w.data.byteLength));
const rx = createPacketBatch(BATCH);
const tx = createPacketBatch(BATCH);
const tags = new Uint32Array(BATCH);
let droppedReplies = 0;

/** Serves socket worker k's pending requests; returns how many it took. */
function serve(k: number): number {
  const reader = readers[k]!;
  const view = new DataView(reader.data.buffer, reader.data.byteOffset, reader.data.byteLength);
  let taken = 0;
  for (;;) {
    let n = 0;
    for (let at = n < BATCH ? reader.next() : -1; at >= 0; at = n < BATCH ? reader.next() : -1) {
      const length = reader.length - REQUEST_RECORD_HEADER;
      tags[n] = view.getUint32(at);
      rx.meta.set(reader.data.subarray(at + 4, at + REQUEST_RECORD_HEADER), n * META_STRIDE);
      rx.meta32[(n * META_STRIDE + META_LENGTH) / 4] = length;
      rx.data.set(reader.data.subarray(at + REQUEST_RECORD_HEADER, at + reader.length), n * SLOT_SIZE);
      n++;
    }
    reader.release();
    if (n === 0) return taken;
    taken += n;
    const replies = handler.handleBatch(rx, n, tx);
    const writer = writers[k]!;
    for (let j = 0; j < replies; j++) {
      const size = tx.meta32[(j * META_STRIDE + META_LENGTH) / 4]!;
      const at = writer.alloc(REPLY_RECORD_HEADER + size);
      if (at < 0) {
        droppedReplies++;
        continue;
      }
      writerViews[k]!.setUint32(at, tags[tx.meta32[(j * META_STRIDE + META_REPLY_TO) / 4]!]!);
      writer.data.set(tx.data.subarray(j * SLOT_SIZE, j * SLOT_SIZE + size), at + REPLY_RECORD_HEADER);
    }
    writer.publish();
    wake(k);
    if (n < BATCH) return taken;
  }
}

const swarmClock = {
  epochMs: setup.secret.epochMs,
  now: () => {
    clock.tick();
    return clock.now;
  },
};
const cluster =
  settings.cluster === null
    ? null
    : await startClusterSync(settings.cluster, store, swarmClock, settings.protocol.maxPeerAge, log, `swarm-${setup.index + 1}`);

await run({
  serve,
  eventLoop: cluster !== null,
  clean() {
    clock.tick();
    const { peersRemoved, torrentsRemoved } = store.clean(clock.now);
    if (log.debugEnabled) log.debug(`cleaned ${peersRemoved} peers and ${torrentsRemoved} torrents`);
  },
  values: () => ({ ...storeValues(store), droppedReplies, ...cluster?.values() }),
  snapshot: () => store.snapshot(),
});
await cluster?.close();
