// The aquatic_ws configuration: what `-p` prints and `-c` accepts. Keys that aquatic_ws has
// keep its defaults (crates/ws/src/config.rs: 64 KiB messages, 10 offers, 120 s interval,
// 255 scrape hashes, cleaning every 30 s, peers 180 s, offers 120 s, idle 180 s); the limits
// it lacks (connections, send buffer, swarms per connection, origins) are ours.
import { addressField, intervalJitterField, logLevelField, onlyIpv6Field, operationsSections, socketWorkersField, statisticsSection, swarmWorkersField } from './common.js';
import { type Infer, boolean, integer, section, stringList } from './schema.js';
import { tlsSection } from './tls.js';

const origin = (text: string) => (text === '' || /\s/.test(text) ? 'not an origin (e.g. "https://example.com")' : undefined);

export const wsConfigSchema = section('aquatic_ws', {
  log_level: logLevelField,
  socket_workers: socketWorkersField(),
  swarm_workers: swarmWorkersField(),
  network: section('Sockets and WebSocket.', {
    address: addressField('0.0.0.0:3000'),
    only_ipv6: onlyIpv6Field,
    max_connections: integer(10_000, { min: 1, max: 1_000_000, doc: 'Open connections at most (WebSocket and plain HTTP); further ones are closed at once.' }),
    max_message_size: integer(65_536, {
      min: 1024,
      max: 16 * 1024 * 1024,
      doc: 'Bytes a client message may have; a larger one closes the connection (WebSocket close code 1009).',
    }),
    ping_interval: integer(60, { min: 1, max: 86_400, doc: 'Seconds of silence from a client after which it is sent a ping.' }),
    idle_timeout: integer(180, { min: 1, max: 86_400, doc: 'Seconds without a message or pong from a client after which its connection is closed.' }),
    send_buffer_limit: integer(1_048_576, {
      min: 1024,
      max: 1024 * 1024 * 1024,
      doc: 'Bytes queued for a client that does not read; over this the connection is dropped instead of buffering more.',
    }),
    allow_origins: stringList([], { doc: 'If not empty, only WebSocket upgrades whose Origin header is listed are accepted (exact match).', validate: origin }),
    deny_origins: stringList([], { doc: 'WebSocket upgrades whose Origin header is listed are refused (403).', validate: origin }),
    deny_empty_origin: boolean(false, 'Refuse WebSocket upgrades without an Origin header (non-browser clients send none).'),
  }),
  tls: tlsSection('WSS (WebSocket over TLS)'),
  protocol: section('WebTorrent tracker behaviour.', {
    max_offers: integer(10, { min: 1, max: 100, doc: 'Offers relayed per announce at most (further ones are ignored); also caps numwant.' }),
    interval_jitter: intervalJitterField,
    peer_announce_interval: integer(120, { min: 1, max: 86_400, doc: 'Seconds clients are asked to wait between announces ("interval").' }),
    max_scrape_torrents: integer(255, { min: 1, max: 10_000, doc: 'Info hashes answered per scrape; further ones are ignored.' }),
    allow_full_scrape: boolean(false, 'Answer a scrape without info_hash with every torrent (costly on a large tracker).'),
    max_swarms_per_connection: integer(1024, { min: 1, max: 1_000_000, doc: 'Torrents one connection may announce in at once (clients share one connection per tracker).' }),
  }),
  cleaning: section('Expiry of peers and offers.', {
    interval: integer(30, { min: 1, max: 86_400, doc: 'Seconds between sweeps that remove expired peers and empty torrents.' }),
    max_peer_age: integer(180, { min: 1, max: 7 * 86_400, doc: 'Seconds a peer stays in its swarm after its last announce (closing the connection removes it at once).' }),
    max_offer_age: integer(120, { min: 1, max: 86_400, doc: 'Seconds a relayed offer may be answered; answers without a live offer are refused.' }),
  }),
  statistics: statisticsSection('message and peer counts'),
  ...operationsSections(),
});

export type WsConfig = Infer<typeof wsConfigSchema>;
