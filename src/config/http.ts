// The aquatic_http configuration: what `-p` prints and `-c` accepts.
import { isIP } from 'node:net';
import { addressField, clusterSection, intervalJitterField, logLevelField, onlyIpv6Field, operationsSections, socketWorkersField, statisticsSection, swarmWorkersField } from './common.js';
import { type Infer, boolean, integer, section, string, stringList } from './schema.js';
import { tlsSection } from './tls.js';

const ipLiteral = (text: string) => (isIP(text) === 0 ? 'not an IP address' : undefined);

export const httpConfigSchema = section('aquatic_http', {
  log_level: logLevelField,
  socket_workers: socketWorkersField(),
  swarm_workers: swarmWorkersField(),
  network: section('Sockets and HTTP.', {
    address: addressField('0.0.0.0:3000'),
    only_ipv6: onlyIpv6Field,
    keep_alive: boolean(true, 'Keep connections open between requests (HTTP/1.1 keep-alive).'),
    max_connections: integer(10_000, { min: 1, max: 1_000_000, doc: 'Open connections at most; further ones are closed at once.' }),
    max_request_head_bytes: integer(4096, { min: 256, max: 65_536, doc: 'Bytes allowed for a request line and its headers (431 beyond).' }),
    idle_timeout: integer(120, { min: 1, max: 86_400, doc: 'Seconds a connection may stay idle between requests.' }),
    request_timeout: integer(10, { min: 1, max: 3600, doc: 'Seconds a client has to finish a request it started, and a new connection to send its first one (slow and silent clients are cut off).' }),
    runs_behind_reverse_proxy: boolean(false, 'Take the client address from reverse_proxy_ip_header_name (rightmost entry) instead of the connection.'),
    reverse_proxy_ip_header_name: string('X-Forwarded-For', {
      doc: 'The header a reverse proxy puts the client address in.',
      validate: (text) => (/^[A-Za-z0-9-]+$/.test(text) ? undefined : 'not a header name'),
    }),
    trusted_proxies: stringList(['127.0.0.1', '::1'], {
      doc: 'Connections from these addresses may set the reverse-proxy header; from others it is ignored.',
      validate: ipLiteral,
    }),
  }),
  tls: tlsSection('HTTPS'),
  protocol: section('BEP 3 / 23 / 48 behaviour.', {
    max_scrape_torrents: integer(100, { min: 1, max: 1000, doc: 'Info hashes answered per scrape; further ones are ignored.' }),
    allow_full_scrape: boolean(false, 'Answer GET /scrape without info_hash with every torrent (costly on a large tracker).'),
    max_peers: integer(50, { min: 1, max: 1000, doc: 'Peers per announce reply, and the default when numwant is absent.' }),
    interval_jitter: intervalJitterField,
    peer_announce_interval: integer(120, { min: 1, max: 86_400, doc: 'Seconds clients are asked to wait between announces ("interval").' }),
    min_announce_interval: integer(60, { min: 0, max: 86_400, doc: 'Seconds sent as "min interval" (0: not sent).' }),
  }),
  cleaning: section('Expiry of peers.', {
    interval: integer(30, { min: 1, max: 86_400, doc: 'Seconds between sweeps that remove expired peers and empty torrents.' }),
    max_peer_age: integer(1800, { min: 1, max: 7 * 86_400, doc: 'Seconds a peer stays in its swarm after its last announce.' }),
  }),
  cluster: clusterSection(),
  statistics: statisticsSection('request and peer counts'),
  ...operationsSections(),
});

export type HttpConfig = Infer<typeof httpConfigSchema>;
