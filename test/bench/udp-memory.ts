// Memory per peer: loads IPv4 peers into a TorrentStore (as announces would) and reports
// RSS and heap after a full GC. Run: npm run bench:memory [-- peers torrents]
// (node --expose-gc dist/test/bench/udp-memory.js 1000000 200000)
import { TorrentStore, type AnnounceResult } from '../../src/swarm/torrents.js';
import { ipv4PeerKey } from '../../src/swarm/peer-format.js';

const peers = Number(process.argv[2] ?? 1_000_000);
const torrents = Number(process.argv[3] ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function usage() {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

const before = usage();
const store = new TorrentStore();
const hash = new Uint8Array(20);
const view = new DataView(hash.buffer);
const out = new Uint8Array(2048);
const result: AnnounceResult = { peers: 0, seeders: 0, leechers: 0 };
for (let p = 0; p < peers; p++) {
  const torrent = p % torrents;
  view.setUint32(0, torrent * 2654435761);
  view.setUint32(4, torrent);
  view.setUint32(16, torrent ^ 0x5bd1e995);
  const ip = (0x0a000000 + Math.floor(p / 60000)) >>> 0;
  store.announce(store.ipv4, view, 0, ipv4PeerKey(ip, 1024 + (p % 60000)), p % 4 === 0 ? 0 : 100, 2, 3600, 50, out, 0, result);
}
const after = usage();
const mib = (n: number) => (n / 2 ** 20).toFixed(1);
console.log(
  `${peers} IPv4 peers over ${store.torrentCount} torrents: RSS ${mib(after.rss)} MiB ` +
    `(+${mib(after.rss - before.rss)} MiB), JS heap +${mib(after.heap - before.heap)} MiB, ` +
    `typed arrays +${mib(after.external - before.external)} MiB; ` +
    `${((after.rss - before.rss) / peers).toFixed(0)} bytes/peer (RSS)`,
);
