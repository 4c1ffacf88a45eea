// Micro-benchmark of the UDP request handler alone (no sockets): batches shaped like
// ../shared/bench/udpload's workload (Pareto(2) torrent popularity over 10k torrents,
// 100k peers on 4 addresses, 5 announces : 1 scrape of 1..49 hashes, numwant 50).
// Run: npm run bench:handler   (node dist/test/bench/udp-handler.js [seconds]; PEER_CLIENTS=1 counts clients)
// CLUSTER_OUTBOX=1 attaches the cluster sync's outbox to the store (what [cluster] enabled
// adds to the request path); its records are taken between timed batches, as rounds would.
// For instruction counts: BATCHES=3000 FROZEN_CLOCK=1 valgrind --tool=callgrind node ...
import { ConnectionIdValidator, createConnectionIdSecret } from '../../src/server/udp/connection-id.js';
import { UdpRequestHandler } from '../../src/server/udp/handler.js';
import { LocalSwarms } from '../../src/server/udp/local-swarms.js';
import { TorrentStore } from '../../src/swarm/torrents.js';
import { writeAnnounceRequest, writeScrapeRequest } from '../../src/protocol/udp/request.js';
import { META_ADDRESS, META_FAMILY, META_LENGTH, META_PORT, META_STRIDE, SLOT_SIZE, createPacketBatch } from '../../src/transport/udp/batch.js';
import { writeMappedIpv4 } from '../../src/util/ip.js';
import { Logger } from '../../src/util/log.js';
import { ClusterOutbox } from '../../src/cluster/outbox.js';
import { PeerClientCounts } from '../../src/metrics/peer-clients.js';

const TORRENTS = 10_000;
const PEERS = 100_000;
const BATCH = 64;
const seconds = Number(process.argv[2] ?? 5);

let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pareto = () => {
  let p = Math.pow(1 - random(), -1 / 2);
  if (p > 101) p = 101;
  return Math.min(TORRENTS - 1, Math.floor(((p - 1) / 100) * (TORRENTS - 1)));
};
const hashes = Array.from({ length: TORRENTS }, () => Uint8Array.from({ length: 20 }, () => Math.floor(random() * 256)));
const peers = Array.from({ length: PEERS }, (_, j) => ({ torrent: pareto(), port: 1024 + (j % 64000), seeder: random() < 0.25, ip: 0x7f000001 + (j % 4) }));

const store = new TorrentStore();
const outbox = process.env['CLUSTER_OUTBOX'] === '1' ? new ClusterOutbox(100_000, 64) : null;
store.changes = outbox;
// FROZEN_CLOCK=1 stops the swarm clock, so that runs under valgrind (~50x slower) see the
// same expiries as a real second of load would (no extra refreshes from elapsed minutes).
const startedAt = Date.now();
const validator = new ConnectionIdValidator(createConnectionIdSecret(), 360, process.env['FROZEN_CLOCK'] === '1' ? () => startedAt : Date.now);
const options = { maxResponsePeers: 50, maxScrapeTorrents: 70, announceInterval: 900, intervalJitter: 0, maxPeerAge: 1200 };
// PEER_CLIENTS=1: with [metrics] peer_clients on, to measure what counting clients costs.
const peerClients = process.env['PEER_CLIENTS'] === '1' ? new PeerClientCounts() : null;
const handler = new UdpRequestHandler(validator, new LocalSwarms(store, validator, options), new Logger('off', 'bench'), true, undefined, peerClients);
const PEER_ID = Uint8Array.from(Buffer.from('-qB4650-abcdefghijkl', 'latin1'));
const ids = [0, 1, 2, 3].map((k) => {
  const address = new Uint8Array(16);
  writeMappedIpv4(0x7f000001 + k, address, 0);
  validator.create(address, 0);
  return { high: validator.high, low: validator.low };
});

const rx = createPacketBatch(BATCH);
const tx = createPacketBatch(BATCH);

/** Fills rx with the next BATCH requests; not timed. */
function fill(): void {
  for (let i = 0; i < BATCH; i++) {
    const at = i * SLOT_SIZE;
    let length: number;
    let ip: number;
    if (random() < 1 / 6) {
      const n = 1 + Math.floor(random() * 48);
      ip = 0x7f000001 + Math.floor(random() * 4);
      const id = ids[ip - 0x7f000001]!;
      length = writeScrapeRequest(rx.data, rx.dataView, at, id.high, id.low, i, Array.from({ length: n }, () => hashes[pareto()]!));
    } else {
      const p = peers[Math.floor(random() * PEERS)]!;
      ip = p.ip;
      const id = ids[ip - 0x7f000001]!;
      length = writeAnnounceRequest(rx.data, rx.dataView, at, {
        connectionIdHigh: id.high, connectionIdLow: id.low, transactionId: i, infoHash: hashes[p.torrent]!,
        peerId: PEER_ID, downloaded: 0, left: p.seeder ? 0 : 1000, uploaded: 0, event: 0, key: 0, numWant: 50, port: p.port,
      });
    }
    const m = (i * META_STRIDE) / 4;
    rx.meta32[m + META_LENGTH / 4] = length;
    rx.meta32[m + META_PORT / 4] = 40000;
    rx.meta32[m + META_FAMILY / 4] = 4;
    writeMappedIpv4(ip, rx.meta, i * META_STRIDE + META_ADDRESS);
  }
}

// Warm up until nearly every peer has announced, so swarms have their full size.
for (let r = 0; r < (PEERS / BATCH) * 4; r++) {
  fill();
  handler.handleBatch(rx, BATCH, tx);
}
let requests = 0;
let busy = 0;
// CPU time too: on a shared machine, wall time also counts the moments others had the core.
let cpuMicros = 0;
// BATCHES=n runs exactly n timed batches (for instruction counts under valgrind) instead of `seconds`.
const batches = Number(process.env['BATCHES'] ?? Infinity);
const end = performance.now() + seconds * 1000;
for (let b = 0; b < batches && (batches !== Infinity || performance.now() < end); b++) {
  fill();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  handler.handleBatch(rx, BATCH, tx);
  busy += performance.now() - t0;
  const c1 = process.cpuUsage(c0);
  cpuMicros += c1.user + c1.system;
  requests += BATCH;
  if (outbox !== null && requests % (BATCH * 1000) === 0) outbox.take();
}
console.log(`${Math.round(requests / (busy / 1000))} requests/s handled (${((busy * 1e6) / requests).toFixed(0)} ns each, ${((cpuMicros * 1e3) / requests).toFixed(0)} ns CPU); ` +
  `torrents ${store.torrentCount}, peers ${store.ipv4.peers}` +
  (outbox === null ? '' : `; cluster outbox: ${outbox.dropped} updates dropped`));
