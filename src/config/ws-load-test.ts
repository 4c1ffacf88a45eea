// The aquatic_ws_load_test configuration: what `-p` prints and `-c` accepts. Keys and defaults
// follow aquatic's aquatic_ws_load_test (16 connections per worker opened 10 ms apart, 10
// offers per announce, announces only, 25% seeders, Gamma(0.2, 100) popularity over 10,000
// torrents, a 47-byte dummy SDP); the layout ([network], [requests], [output]) is the other
// load testers' here, so their settings read the same.
import { type Infer, boolean, decimal, integer, oneOf, section, string } from './schema.js';
import { loadTestCommonFields } from './load-test-common.js';

/** aquatic_ws_load_test's torrent_gamma_shape and torrent_gamma_scale. */
const AQUATIC_GAMMA_SHAPE = 0.2;
const AQUATIC_GAMMA_SCALE = 100;
/** The length of aquatic_ws_load_test's dummy SDP ("abcdefg-" x 6, less the last dash). */
const AQUATIC_SDP_SIZE = 47;
/** aquatic_ws and our tracker relay at most 100 offers per announce (their max_offers ceiling). */
const MAX_OFFERS_PER_REQUEST = 100;

export const wsLoadTestConfigSchema = section('aquatic_ws_load_test', {
  ...loadTestCommonFields(),
  request_timeout_ms: integer(5000, {
    min: 1,
    max: 60_000,
    doc: 'An announce or scrape unanswered this long counts as a timeout; its connection is closed and opened again with a new peer_id.',
  }),
  network: section('Client connections.', {
    connections_per_worker: integer(16, {
      min: 1,
      max: 10_000,
      doc: 'WebSocket connections per worker; each is one peer (one peer_id) running a closed loop with one announce or scrape in flight.',
    }),
    connection_creation_interval_ms: integer(10, {
      min: 0,
      max: 60_000,
      doc: 'Milliseconds between opening one connection and the next, per worker (aquatic: 10).',
    }),
    use_tls: boolean(false, 'Speak wss://. The certificate is not verified: this tool only talks to this machine.'),
    start_after_all_open: boolean(
      false,
      'Hold every connection\'s first request until all of its worker\'s connections are open (at the latest request_timeout_ms after the last one was started), as wsload.mjs does; otherwise each starts as it opens, as aquatic does. A tracker busy with the first connections may complete the later handshakes only after they time out.',
    ),
    client: oneOf(
      ['lean', 'ws'],
      'lean',
      'WebSocket client: "lean" (node:net or node:tls, our own handshake and framing, every frame of a turn in one write: light enough that one generator core outruns one tracker core) or "ws" (the ws package, as wsload.mjs; for comparison).',
    ),
  }),
  requests: section('The simulated torrents and message mix.', {
    number_of_torrents: integer(10_000, { min: 1, max: 10_000_000, doc: 'Torrents (info hashes) the peers announce in and scrape.' }),
    info_hashes_file: string('', {
      doc: 'File of hex info hashes, one a line (e.g. a tracker whitelist); the first number_of_torrents are used. "" derives them as udpload and wsload.mjs do.',
    }),
    torrent_selection: oneOf(
      ['gamma', 'pareto'],
      'gamma',
      'Torrent popularity: index = trunc((min(X, 101) - 1) / 100 * (torrents - 1)) over X = Gamma(gamma_shape, gamma_scale) as aquatic_ws_load_test ("gamma": about 43% of messages hit torrent 0), or X = Pareto(pareto_shape) as wsload.mjs ("pareto").',
    ),
    pareto_shape: decimal(2.0, { min: 0.01, max: 100, doc: 'Shape of the Pareto popularity (smaller: more skewed).' }),
    gamma_shape: decimal(AQUATIC_GAMMA_SHAPE, { min: 0.01, max: 100, doc: 'Shape of the Gamma popularity (aquatic: 0.2).' }),
    gamma_scale: decimal(AQUATIC_GAMMA_SCALE, { min: 0.01, max: 10_000, doc: 'Scale of the Gamma popularity (aquatic: 100).' }),
    offers_per_request: integer(10, {
      min: 0,
      max: MAX_OFFERS_PER_REQUEST,
      doc: 'Offers in every announce, also its numwant. Trackers relay at most their max_offers (aquatic_ws and ours: 10).',
    }),
    weight_announce: integer(5, { min: 0, max: 1000, doc: 'Relative weight of announces (answers to offers are sent besides, one per offer received).' }),
    weight_scrape: integer(0, { min: 0, max: 1000, doc: 'Relative weight of scrapes.' }),
    scrape_max_torrents: integer(5, { min: 1, max: 255, doc: 'A scrape asks for 1 to this many distinct info hashes (uniformly).' }),
    peer_seeder_probability: decimal(0.25, {
      min: 0,
      max: 1,
      doc: 'Chance that an announce is a seeder\'s (left = 0, event "completed"); otherwise a leecher\'s (left > 0, event "started"), drawn per announce as aquatic does.',
    }),
    offer_sdp: oneOf(
      ['aquatic', 'browser'],
      'aquatic',
      'What the dummy SDP of offers and answers holds: "aquatic" repeats "abcdefg-" as aquatic_ws_load_test does; "browser" repeats the lines of a browser\'s data-channel offer (wsload.mjs\'s, 346 characters), whose CRLF line ends JSON escapes as in real traffic.',
    ),
    offer_sdp_size: integer(AQUATIC_SDP_SIZE, {
      min: 1,
      max: 16_384,
      doc: 'Characters of the dummy SDP in each offer and answer (aquatic: 47; a real browser offer is 400 to 2000). Mind the tracker\'s message size limit (ours: 64 KiB per message).',
    }),
  }),
  output: section('Results.', {
    json: string('', { doc: 'Also write the summary as JSON to this path ("" = no file).' }),
  }),
});

export type WsLoadTestConfig = Infer<typeof wsLoadTestConfigSchema>;

/** Cross-key checks the per-key schema cannot express; messages name the keys. */
export function wsLoadTestConfigProblems(config: WsLoadTestConfig): string[] {
  const problems: string[] = [];
  if (config.requests.weight_announce + config.requests.weight_scrape === 0) {
    problems.push('`requests.weight_announce` and `requests.weight_scrape` are both 0: nothing to send');
  }
  return problems;
}
