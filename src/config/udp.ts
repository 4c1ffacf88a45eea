// The aquatic_udp configuration: what `-p` prints and `-c` accepts.
import { addressField, clusterSection, intervalJitterField, logLevelField, onlyIpv6Field, operationsSections, socketWorkersField, statisticsSection, swarmWorkersField } from './common.js';
import { type Infer, integer, section } from './schema.js';
import { MAX_SCRAPE_TORRENTS_PER_PACKET, MAX_PEERS_V4 } from '../protocol/udp/constants.js';

export const udpConfigSchema = section('aquatic_udp', {
  log_level: logLevelField,
  socket_workers: socketWorkersField(),
  swarm_workers: swarmWorkersField(),
  network: section('Sockets.', {
    address: addressField('0.0.0.0:3000'),
    only_ipv6: onlyIpv6Field,
    socket_recv_buffer_size: integer(8_000_000, {
      min: 0,
      max: 1 << 30,
      doc: 'SO_RCVBUF in bytes (0: system default). Above net.core.rmem_max it needs: sysctl -w net.core.rmem_max=8000000',
    }),
    socket_send_buffer_size: integer(0, {
      min: 0,
      max: 1 << 30,
      doc: 'SO_SNDBUF in bytes (0: system default).',
    }),
    batch_size: integer(256, {
      min: 1,
      max: 1024,
      doc: 'Datagrams read (recvmmsg) and sent (sendmmsg) per system call with the native addon.',
    }),
  }),
  protocol: section('BEP 15 behaviour.', {
    max_scrape_torrents: integer(70, {
      min: 1,
      max: MAX_SCRAPE_TORRENTS_PER_PACKET,
      doc: 'Info hashes answered per scrape; further ones are ignored (BEP 15: "up to about 74").',
    }),
    max_response_peers: integer(50, {
      min: 1,
      max: MAX_PEERS_V4,
      doc: 'Peers per announce reply, and the default when numwant <= 0. IPv6 replies hold at most 66 so they fit in one datagram.',
    }),
    interval_jitter: intervalJitterField,
    peer_announce_interval: integer(900, {
      min: 1,
      max: 86_400,
      doc: 'Seconds clients are asked to wait between announces.',
    }),
  }),
  cleaning: section('Expiry of peers and connection IDs.', {
    interval: integer(120, { min: 1, max: 86_400, doc: 'Seconds between sweeps that remove expired peers and empty torrents.' }),
    max_peer_age: integer(1200, {
      min: 1,
      max: 7 * 86_400,
      doc: 'Seconds a peer stays in its swarm after its last announce (keep it above peer_announce_interval).',
    }),
    max_connection_age: integer(360, {
      min: 60,
      max: 86_400,
      doc: 'Seconds a connection ID stays valid. BEP 15 asks for 120; some clients reuse an ID for about 5 minutes.',
    }),
  }),
  cluster: clusterSection(),
  statistics: statisticsSection('request and peer counts'),
  ...operationsSections(),
});

export type UdpConfig = Infer<typeof udpConfigSchema>;
