// The samples aquatic's trackers publish (names follow aquatic_* where aquatic has them),
// built from the flat counter records that handlers, transports, stores and worker threads
// keep. Each record is one worker's; its name becomes the `worker` label.
import type { TorrentStore } from '../swarm/torrents.js';
import type { RetainedCounts } from '../swarm/retained-counts.js';
import type { Sample } from './prometheus.js';
import { PEER_CLIENT_KEY } from './peer-clients.js';

export type CounterRecord = Readonly<Record<string, number>>;

/** A store's gauges as a counter record (the shard workers send the same keys). */
export function storeValues(store: TorrentStore): CounterRecord {
  return {
    torrents: store.torrentCount,
    peersIpv4: store.ipv4.peers,
    peersIpv6: store.ipv6.peers,
    seedersIpv4: store.ipv4.seeders,
    seedersIpv6: store.ipv6.seeders,
    ...retainedValues(store.retained),
  };
}

/** The retained completed counts of a store (TorrentStore or WsTorrents) as a counter record. */
export function retainedValues(retained: RetainedCounts): CounterRecord {
  return { retainedCounts: retained.size, retainedEvictions: retained.evictions };
}

type Spec = readonly [key: string, name: string, type: 'counter' | 'gauge', help: string, labels?: Record<string, string>];

const COMMON: readonly Spec[] = [
  ['torrents', 'aquatic_torrents', 'gauge', 'Torrents with at least one peer.'],
  ['peersIpv4', 'aquatic_peers', 'gauge', 'Peers in all swarms.', { ip_version: '4' }],
  ['peersIpv6', 'aquatic_peers', 'gauge', 'Peers in all swarms.', { ip_version: '6' }],
  ['seedersIpv4', 'aquatic_seeders', 'gauge', 'Seeders in all swarms.', { ip_version: '4' }],
  ['seedersIpv6', 'aquatic_seeders', 'gauge', 'Seeders in all swarms.', { ip_version: '6' }],
  ['forbidden', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'forbidden' }],
  ['dropped', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'shard_queue_full' }],
  ['expired', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'shard_no_reply' }],
  ['retainedCounts', 'aquatic_retained_completed_counts', 'gauge', 'Completed counts kept for torrents without peers.'],
  ['retainedEvictions', 'aquatic_retained_completed_counts_evicted_total', 'counter', 'Retained completed counts dropped because max_retained_torrents was reached.'],
  // With [cluster] enabled (ClusterSync.values()).
  ['clusterPublished', 'aquatic_cluster_updates_total', 'counter', 'Peer updates shared through Redis, by kind.', { kind: 'published' }],
  ['clusterMerged', 'aquatic_cluster_updates_total', 'counter', 'Peer updates shared through Redis, by kind.', { kind: 'merged' }],
  ['clusterDropped', 'aquatic_cluster_updates_total', 'counter', 'Peer updates shared through Redis, by kind.', { kind: 'dropped' }],
  ['clusterFailures', 'aquatic_cluster_sync_failures_total', 'counter', 'Sync rounds that failed or were skipped because Redis was unavailable.'],
  ['clusterConnected', 'aquatic_cluster_connected', 'gauge', '1 while the last sync round reached Redis.'],
  ['clusterNodes', 'aquatic_cluster_nodes', 'gauge', 'Nodes that synced within the last 10 sync intervals (at least 10 s).'],
  ['clusterQueued', 'aquatic_cluster_queued_updates', 'gauge', 'Peer updates waiting for the next sync round.'],
];

const UDP: readonly Spec[] = [
  ['connect', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'connect' }],
  ['announce', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'announce' }],
  ['scrape', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'scrape' }],
  ['responsesIpv4', 'aquatic_responses_total', 'counter', 'Responses by IP version.', { ip_version: '4' }],
  ['responsesIpv6', 'aquatic_responses_total', 'counter', 'Responses by IP version.', { ip_version: '6' }],
  ['errors', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'error_reply' }],
  ['invalid', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'invalid' }],
  ['badConnectionId', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'bad_connection_id' }],
  ['internalErrors', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'internal' }],
  ['receivedBytes', 'aquatic_rx_bytes_total', 'counter', 'UDP payload bytes received.'],
  ['sentBytes', 'aquatic_tx_bytes_total', 'counter', 'UDP payload bytes sent.'],
  ['receivedPackets', 'aquatic_rx_packets_total', 'counter', 'Datagrams received.'],
  ['sentPackets', 'aquatic_tx_packets_total', 'counter', 'Datagrams sent.'],
  ['sendErrors', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'send_failed' }],
];

const HTTP: readonly Spec[] = [
  ['announce', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'announce' }],
  ['scrape', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'scrape' }],
  ['failures', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'failure_reply' }],
  ['notFound', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'not_found' }],
  ['rejected', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'bad_http' }],
  ['timeouts', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'timeout' }],
  ['connections', 'aquatic_connections', 'gauge', 'Open client connections.'],
  ['connectionsAccepted', 'aquatic_connections_total', 'counter', 'Client connections accepted.'],
];

const WS: readonly Spec[] = [
  ['announces', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'announce' }],
  ['scrapes', 'aquatic_requests_total', 'counter', 'Requests by type.', { type: 'scrape' }],
  ['offersRelayed', 'aquatic_relayed_total', 'counter', 'WebRTC signalling messages relayed between peers.', { type: 'offer' }],
  ['answersRelayed', 'aquatic_relayed_total', 'counter', 'WebRTC signalling messages relayed between peers.', { type: 'answer' }],
  ['failures', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'failure_reply' }],
  ['slowReadersDropped', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'slow_reader_dropped' }],
  ['idleClosed', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'idle_closed' }],
  ['protocolErrors', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'websocket_protocol' }],
  ['refusedOrigin', 'aquatic_errors_total', 'counter', 'Requests refused or dropped, by kind.', { kind: 'origin_refused' }],
  ['connections', 'aquatic_connections', 'gauge', 'Open client connections.'],
  ['peers', 'aquatic_peers', 'gauge', 'Peers in all swarms.'],
  ['seeders', 'aquatic_seeders', 'gauge', 'Seeders in all swarms.'],
];

function samples(specs: readonly Spec[], workers: ReadonlyMap<string, CounterRecord>): Sample[] {
  const out: Sample[] = [];
  for (const [key, name, type, help, labels] of [...specs, ...COMMON]) {
    for (const [worker, values] of workers) {
      const value = values[key];
      if (value !== undefined) out.push({ name, type, help, value, labels: { ...labels, worker } });
    }
  }
  // [metrics] peer_clients: the workers that count announces send one key per client seen.
  for (const [worker, values] of workers) {
    for (const [key, value] of Object.entries(values)) {
      if (!key.startsWith(PEER_CLIENT_KEY)) continue;
      const client = key.slice(PEER_CLIENT_KEY.length);
      out.push({ name: 'aquatic_peer_client_announces_total', type: 'counter', help: 'Announces by client (peer_id prefix, BEP 20).', value, labels: { client, worker } });
    }
  }
  return out;
}

export function udpSamples(workers: ReadonlyMap<string, CounterRecord>): Sample[] {
  return samples(UDP, workers);
}

export function httpSamples(workers: ReadonlyMap<string, CounterRecord>): Sample[] {
  return samples(HTTP, workers);
}

export function wsSamples(workers: ReadonlyMap<string, CounterRecord>): Sample[] {
  return samples(WS, workers);
}
