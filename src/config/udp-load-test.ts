// The aquatic_udp_load_test configuration: what `-p` prints and `-c` accepts. Keys follow
// aquatic's aquatic_udp_load_test; the request defaults follow the bench generator udpload
// (10 000 torrents with Pareto(2) popularity, 100 000 peers, 5 announces : 1 scrape of
// 1..49 hashes, 25% seeders, numwant 50), so the two can be compared run for run.
import { loadTestCommonFields } from './load-test-common.js';
import { type Infer, boolean, decimal, integer, oneOf, section, string } from './schema.js';
import { MAX_PEERS_V4, MAX_SCRAPE_TORRENTS_PER_PACKET } from '../protocol/udp/constants.js';

/** The most requests one socket keeps in flight: the transaction ID reserves 10 bits for the slot. */
export const MAX_IN_FLIGHT_PER_SOCKET = 1024;

export const udpLoadTestConfigSchema = section('aquatic_udp_load_test', {
  ...loadTestCommonFields(),
  request_timeout_ms: integer(1000, {
    min: 1,
    max: 60_000,
    doc: 'A request unanswered this long counts as a timeout and its slot is reused.',
  }),
  network: section('Client sockets.', {
    multiple_client_ipv4s: boolean(
      true,
      'With an IPv4 target, worker i binds its sockets to 127.0.0.(1 + i), so the tracker sees several client IPs (and SO_REUSEPORT spreads them).',
    ),
    sockets_per_worker: integer(4, { min: 1, max: 256, doc: 'Sockets per worker; each runs its own closed loop.' }),
    in_flight_per_socket: integer(64, {
      min: 1,
      max: MAX_IN_FLIGHT_PER_SOCKET,
      doc: 'Requests each socket keeps outstanding: an answered one is replaced at once.',
    }),
    recv_buffer: integer(8_000_000, {
      min: 0,
      max: 1 << 30,
      doc: 'SO_RCVBUF in bytes (0: system default). Above net.core.rmem_max it needs: sysctl -w net.core.rmem_max=8000000',
    }),
    send_buffer: integer(0, { min: 0, max: 1 << 30, doc: 'SO_SNDBUF in bytes (0: system default).' }),
  }),
  requests: section('The simulated torrents, peers and request mix.', {
    number_of_torrents: integer(10_000, { min: 1, max: 10_000_000, doc: 'Torrents (info hashes) the peers announce and scrape.' }),
    number_of_peers: integer(100_000, {
      min: 1,
      max: 10_000_000,
      doc: 'Simulated peers, split over all sockets; each stays in one torrent and announces from its socket.',
    }),
    info_hashes_file: string('', {
      doc: 'File of hex info hashes, one a line (e.g. a tracker whitelist); the first number_of_torrents are used. "" derives them as udpload does, so `udpload -H N` prints the same list (a whitelist for opentracker).',
    }),
    torrent_selection: oneOf(
      ['pareto', 'aquatic'],
      'pareto',
      'Torrent popularity. "pareto": index = (min(Pareto(pareto_shape), 101) - 1) / 100 * (torrents - 1), as udpload and the older aquatic load test; "aquatic": weight_i = torrents/peers + e^(6.5 - 500 i/torrents), as aquatic_udp_load_test since 2024.',
    ),
    pareto_shape: decimal(2.0, { min: 0.01, max: 100, doc: 'Shape of the Pareto popularity (smaller: more skewed).' }),
    weight_connect: integer(0, { min: 0, max: 1000, doc: 'Relative weight of extra connect requests (each socket connects once anyway, and again every 60 s).' }),
    weight_announce: integer(5, { min: 0, max: 1000, doc: 'Relative weight of announce requests.' }),
    weight_scrape: integer(1, { min: 0, max: 1000, doc: 'Relative weight of scrape requests.' }),
    scrape_max_torrents: integer(49, {
      min: 1,
      max: MAX_SCRAPE_TORRENTS_PER_PACKET,
      doc: 'A scrape asks for 1 to this many distinct info hashes (uniformly); 49 matches udpload. Keep it within the tracker\'s max_scrape_torrents.',
    }),
    announce_peers_wanted: integer(50, { min: -1, max: MAX_PEERS_V4, doc: 'numwant of every announce (-1: the tracker\'s default).' }),
    peer_seeder_probability: decimal(0.25, { min: 0, max: 1, doc: 'Fraction of peers that are seeders (announce left = 0).' }),
  }),
  output: section('Results.', {
    json: string('', { doc: 'Also write the summary as JSON to this path ("" = no file).' }),
  }),
});

export type UdpLoadTestConfig = Infer<typeof udpLoadTestConfigSchema>;

/** Cross-key checks the per-key schema cannot express; messages name the keys. */
export function loadTestConfigProblems(config: UdpLoadTestConfig): string[] {
  const problems: string[] = [];
  const { weight_connect, weight_announce, weight_scrape } = config.requests;
  if (weight_connect + weight_announce + weight_scrape === 0) {
    problems.push('`requests.weight_connect`, `requests.weight_announce` and `requests.weight_scrape` are all 0: nothing to send');
  }
  return problems;
}
