// The aquatic_http_load_test configuration: what `-p` prints and `-c` accepts. Keys follow
// aquatic's aquatic_http_load_test where they exist there; the request defaults follow the
// shared bench's wrk script (http-announce.lua: Pareto(2) popularity, numwant 50, 25%
// seeders, announces only) and the shape of aquatic_udp_load_test's configuration, so the
// HTTP, UDP and wrk numbers can be put side by side.
import { MAX_PEERS_V4 } from '../protocol/udp/constants.js';
import { DEFAULT_ANNOUNCE_PATH, DEFAULT_MAX_SCRAPE_HASHES, DEFAULT_SCRAPE_PATH } from '../protocol/http/constants.js';
import { type Infer, boolean, decimal, integer, oneOf, section, string } from './schema.js';
import { loadTestCommonFields } from './load-test-common.js';

/** aquatic_http_load_test's Gamma popularity: torrent_gamma_shape and torrent_gamma_scale. */
const AQUATIC_GAMMA_SHAPE = 0.2;
const AQUATIC_GAMMA_SCALE = 100;

/** A request path: from "/", printable ASCII, no "?" or "#" (those end a path, RFC 3986 3.3). */
function validatePath(text: string): string | undefined {
  return /^\/[!-~]*$/.test(text) && !/[?#]/.test(text) ? undefined : 'must start with "/" and hold no "?", "#", spaces or non-ASCII';
}

export const httpLoadTestConfigSchema = section('aquatic_http_load_test', {
  ...loadTestCommonFields(),
  request_timeout_ms: integer(1000, {
    min: 1,
    max: 60_000,
    doc: 'A request unanswered this long counts as a timeout; its connection is closed and opened again (the stream cannot be resynchronised).',
  }),
  network: section('Client connections.', {
    connections: integer(64, {
      min: 1,
      max: 10_000,
      doc: 'TCP connections per worker; each runs a closed loop with one request in flight.',
    }),
    keep_alive: boolean(
      true,
      'Reuse each connection for the next request (HTTP/1.1 keep-alive). false: send "Connection: close" and open a new TCP connection per request, as most BitTorrent clients do.',
    ),
    multiple_client_ipv4s: boolean(
      true,
      'With an IPv4 target, worker i connects from 127.0.0.(1 + i), so the tracker sees several client IPs (and new connections have more source ports).',
    ),
    use_tls: boolean(false, 'Speak HTTPS. The certificate is not verified: this tool only talks to this machine.'),
  }),
  requests: section('The simulated torrents, peers and request mix.', {
    number_of_torrents: integer(10_000, { min: 1, max: 10_000_000, doc: 'Torrents (info hashes) the peers announce and scrape.' }),
    number_of_peers: integer(100_000, {
      min: 1,
      max: 10_000_000,
      doc: 'Simulated peers, split over all connections; each stays in one torrent.',
    }),
    info_hashes_file: string('', {
      doc: 'File of hex info hashes, one a line (e.g. a tracker whitelist); the first number_of_torrents are used. "" derives them as udpload does, so `udpload -H N` prints the same list (a whitelist for opentracker).',
    }),
    torrent_selection: oneOf(
      ['pareto', 'aquatic', 'gamma'],
      'pareto',
      'Torrent popularity. "pareto": index = (min(Pareto(pareto_shape), 101) - 1) / 100 * (torrents - 1), as udpload and the wrk script; "aquatic": weight_i = torrents/peers + e^(6.5 - 500 i/torrents), as aquatic_udp_load_test since 2024; "gamma": the same index formula over Gamma(gamma_shape, gamma_scale), as aquatic_http_load_test (with its defaults about 43% of requests hit torrent 0).',
    ),
    pareto_shape: decimal(2.0, { min: 0.01, max: 100, doc: 'Shape of the Pareto popularity (smaller: more skewed).' }),
    gamma_shape: decimal(AQUATIC_GAMMA_SHAPE, { min: 0.01, max: 100, doc: 'Shape of the Gamma popularity (aquatic: 0.2).' }),
    gamma_scale: decimal(AQUATIC_GAMMA_SCALE, { min: 0.01, max: 10_000, doc: 'Scale of the Gamma popularity (aquatic: 100).' }),
    weight_announce: integer(5, { min: 0, max: 1000, doc: 'Relative weight of announce requests.' }),
    weight_scrape: integer(0, { min: 0, max: 1000, doc: 'Relative weight of scrape requests.' }),
    scrape_max_torrents: integer(5, {
      min: 1,
      max: DEFAULT_MAX_SCRAPE_HASHES,
      doc: 'A scrape asks for 1 to this many distinct info hashes (uniformly). Each adds about 71 bytes to the request line: keep it within the tracker\'s head limit and max_scrape_torrents.',
    }),
    announce_peers_wanted: integer(50, { min: -1, max: MAX_PEERS_V4, doc: 'numwant of every announce (-1: not sent, the tracker\'s default).' }),
    peer_seeder_probability: decimal(0.25, { min: 0, max: 1, doc: 'Fraction of peers that are seeders (announce left = 0).' }),
    announce_path: string(DEFAULT_ANNOUNCE_PATH, { doc: 'Path of announce requests (BEP 3), e.g. "/announce/<passkey>".', validate: validatePath }),
    scrape_path: string(DEFAULT_SCRAPE_PATH, { doc: 'Path of scrape requests (BEP 48).', validate: validatePath }),
  }),
  output: section('Results.', {
    json: string('', { doc: 'Also write the summary as JSON to this path ("" = no file).' }),
  }),
});

export type HttpLoadTestConfig = Infer<typeof httpLoadTestConfigSchema>;

/** Cross-key checks the per-key schema cannot express; messages name the keys. */
export function httpLoadTestConfigProblems(config: HttpLoadTestConfig): string[] {
  const problems: string[] = [];
  if (config.requests.weight_announce + config.requests.weight_scrape === 0) {
    problems.push('`requests.weight_announce` and `requests.weight_scrape` are both 0: nothing to send');
  }
  return problems;
}
