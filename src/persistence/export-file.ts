// The full-scrape export: every torrent with a swarm and its scrape numbers, as JSON with one
// torrent a line (BEP 48's names; info_hash as 40 lowercase hex characters):
//
//   {"version":1,"tracker":"aquatic_udp","written_at":"2026-01-01T00:00:00.000Z","torrents":[
//   {"info_hash":"...","complete":1,"incomplete":2,"downloaded":3},
//   ...
//   ]}
//
// Produced in chunks, so a million torrents never become one string.
import { INFO_HASH_BYTES, STATS_STRIDE, type TorrentStats } from '../swarm/snapshot.js';

export const EXPORT_FILE_VERSION = 1;
const TORRENTS_PER_CHUNK = 4096;

export interface ExportedTorrent {
  readonly info_hash: string;
  readonly complete: number;
  readonly incomplete: number;
  readonly downloaded: number;
}

export interface ExportFile {
  readonly version: number;
  readonly tracker: string;
  readonly written_at: string;
  readonly torrents: readonly ExportedTorrent[];
}

export function* encodeExport(tracker: string, torrents: TorrentStats, writtenAt: Date): Generator<string> {
  yield `{"version":${EXPORT_FILE_VERSION},"tracker":${JSON.stringify(tracker)},"written_at":"${writtenAt.toISOString()}","torrents":[`;
  const hashes = Buffer.from(torrents.hashes.buffer, torrents.hashes.byteOffset, torrents.hashes.byteLength);
  const count = torrents.stats.length / STATS_STRIDE;
  for (let start = 0; start < count; start += TORRENTS_PER_CHUNK) {
    let chunk = '';
    for (let t = start; t < Math.min(count, start + TORRENTS_PER_CHUNK); t++) {
      const hex = hashes.toString('hex', t * INFO_HASH_BYTES, (t + 1) * INFO_HASH_BYTES);
      const s = t * STATS_STRIDE;
      const stats = torrents.stats;
      chunk += `${t === 0 ? '' : ','}\n{"info_hash":"${hex}","complete":${stats[s]},"incomplete":${stats[s + 1]},"downloaded":${stats[s + 2]}}`;
    }
    yield chunk;
  }
  yield '\n]}\n';
}
