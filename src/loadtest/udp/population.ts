// The simulated world, built once per worker from the seed: torrents (info hashes and how
// popular each is) and peers (torrent, port, seeder). Every worker builds the same world
// and drives its own share of the peers.
import { readFileSync } from 'node:fs';
import { AquaticError, ErrorCode } from '../../errors.js';
import type { UdpLoadTestConfig } from '../../config/udp-load-test.js';
import { INFO_HASH_SIZE } from '../../protocol/udp/constants.js';
import { Random, writeUdploadInfoHash } from './random.js';

/**
 * Picks torrent indexes by weight in O(1) with one random number: Vose's alias method
 * (each index keeps a probability of itself and an alias to fall back to).
 */
export class TorrentPicker {
  private readonly keep: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: Float64Array) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i]!;
    this.keep = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = weights.map((weight) => (weight * n) / sum);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) (scaled[i]! < 1 ? small : large).push(i);
    while (small.length > 0 && large.length > 0) {
      const less = small.pop()!;
      const more = large[large.length - 1]!;
      this.keep[less] = scaled[less]!;
      this.alias[less] = more;
      scaled[more] = scaled[more]! + scaled[less]! - 1;
      if (scaled[more]! < 1) small.push(large.pop()!);
    }
    // What is left is 1 up to rounding.
    for (const i of [...small, ...large]) this.keep[i] = 1;
  }

  pick(random: Random): number {
    const r = random.nextFloat() * this.keep.length;
    const index = Math.floor(r);
    return r - index < this.keep[index]! ? index : this.alias[index]!;
  }
}

/**
 * udpload's popularity (aquatic_udp_load_test's until 2022): p = Pareto(scale 1, shape),
 * clamped at 101, index = floor((p - 1) / 100 * (torrents - 1)). As weights: index i takes
 * P(p in [1 + 100 i/(torrents - 1), 1 + 100 (i + 1)/(torrents - 1))), where P(p >= x) = x^-shape,
 * and the last index also takes the clamped tail.
 */
export function paretoWeights(torrents: number, shape: number): Float64Array {
  const weights = new Float64Array(torrents);
  if (torrents === 1) return weights.fill(1);
  const tail = (x: number): number => x ** -shape;
  for (let i = 0; i < torrents - 1; i++) weights[i] = tail(1 + (100 * i) / (torrents - 1)) - tail(1 + (100 * (i + 1)) / (torrents - 1));
  weights[torrents - 1] = tail(101);
  return weights;
}

/** aquatic_udp_load_test's popularity since 2024: an exponential hot head on a uniform floor. */
export function aquaticWeights(torrents: number, peers: number): Float64Array {
  const weights = new Float64Array(torrents);
  for (let i = 0; i < torrents; i++) weights[i] = torrents / peers + Math.exp(6.5 - (500 * i) / torrents);
  return weights;
}

export interface Population {
  readonly torrentCount: number;
  /** torrentCount * 20 bytes: info hash i at i * 20. */
  readonly infoHashes: Uint8Array;
  /** A 20-byte view per torrent, made once, for the request encoders. */
  readonly infoHashViews: readonly Uint8Array[];
  readonly picker: TorrentPicker;
  readonly peerCount: number;
  readonly peerTorrent: Uint32Array;
  readonly peerPort: Uint16Array;
  readonly peerSeeder: Uint8Array;
}

/** First client port: below it are the well-known ports. */
const FIRST_PEER_PORT = 1024;
const PEER_PORTS = 64_000;

export function buildPopulation(config: UdpLoadTestConfig): Population {
  const requests = config.requests;
  const torrentCount = requests.number_of_torrents;
  const infoHashes =
    requests.info_hashes_file === '' ? udploadInfoHashes(torrentCount) : readInfoHashes(requests.info_hashes_file, torrentCount);
  const infoHashViews = Array.from({ length: torrentCount }, (_, i) => infoHashes.subarray(i * INFO_HASH_SIZE, (i + 1) * INFO_HASH_SIZE));
  const peerCount = requests.number_of_peers;
  const picker = new TorrentPicker(
    requests.torrent_selection === 'pareto' ? paretoWeights(torrentCount, requests.pareto_shape) : aquaticWeights(torrentCount, peerCount),
  );

  const random = new Random(config.seed);
  const peerTorrent = new Uint32Array(peerCount);
  const peerPort = new Uint16Array(peerCount);
  const peerSeeder = new Uint8Array(peerCount);
  for (let j = 0; j < peerCount; j++) {
    peerTorrent[j] = picker.pick(random);
    peerPort[j] = FIRST_PEER_PORT + (j % PEER_PORTS);
    peerSeeder[j] = random.nextFloat() < requests.peer_seeder_probability ? 1 : 0;
  }
  return { torrentCount, infoHashes, infoHashViews, picker, peerCount, peerTorrent, peerPort, peerSeeder };
}

export function udploadInfoHashes(count: number): Uint8Array {
  const out = new Uint8Array(count * INFO_HASH_SIZE);
  for (let i = 0; i < count; i++) writeUdploadInfoHash(i, out, i * INFO_HASH_SIZE);
  return out;
}

/** Reads `count` hex info hashes, one a line (blank lines and # comments skipped). */
export function readInfoHashes(path: string, count: number): Uint8Array {
  const key = '`requests.info_hashes_file`';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new AquaticError(ErrorCode.CONFIG_FILE, `${key}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const out = new Uint8Array(count * INFO_HASH_SIZE);
  let found = 0;
  const lines = text.split('\n');
  for (let n = 0; n < lines.length && found < count; n++) {
    const line = lines[n]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!/^[0-9a-fA-F]{40}$/.test(line)) {
      throw new AquaticError(ErrorCode.CONFIG_INVALID, `${key}: line ${n + 1} of ${path} is not a 40-digit hex info hash`);
    }
    out.set(Buffer.from(line, 'hex'), found * INFO_HASH_SIZE);
    found++;
  }
  if (found < count) {
    throw new AquaticError(
      ErrorCode.CONFIG_INVALID,
      `${key}: ${path} holds ${found} info hashes, fewer than \`requests.number_of_torrents\` = ${count}`,
    );
  }
  return out;
}
