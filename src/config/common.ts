// Keys that mean the same in every executable: log_level, socket_workers, [network] address,
// and the sections every tracker shares ([access_list], [metrics], [privileges]).
import { LOG_LEVELS } from '../util/log.js';
import { validateSocketAddress } from '../util/address.js';
import { ACCESS_LIST_MODES } from '../access/access-list.js';
import { type Infer, boolean, integer, oneOf, section, string } from './schema.js';

export const logLevelField = oneOf(LOG_LEVELS, 'info', 'Log level (to stderr).');

export function socketWorkersField() {
  return integer(1, {
    min: 1,
    max: 256,
    doc: 'Number of socket workers: threads that each own a socket bound to the same address (SO_REUSEPORT).',
  });
}

export function swarmWorkersField() {
  return integer(1, {
    min: 1,
    max: 256,
    doc: 'Number of swarm workers: threads that each own the torrents whose info_hash[0] % swarm_workers is their index.\nWith socket_workers = 1 and swarm_workers = 1 everything runs in one thread, the fastest choice on one core.',
  });
}

export function addressField(defaultAddress: string) {
  return string(defaultAddress, {
    doc: 'Address to listen on: "IPv4:port" or "[IPv6]:port". "[::]:port" with only_ipv6 = false serves IPv4 and IPv6.',
    validate: validateSocketAddress,
  });
}

export const onlyIpv6Field = boolean(false, 'With an IPv6 address: accept IPv6 only (IPV6_V6ONLY) instead of dual stack.');

export function accessListSection() {
  return section('Info hash access list (reloaded on SIGUSR1).', {
    mode: oneOf(ACCESS_LIST_MODES, 'off', '"allow": only listed info hashes may be announced; "deny": listed ones may not.'),
    path: string('', { doc: 'File of 40-character hex info hashes, one per line; blank lines and # comments are ignored.' }),
  });
}

export function metricsSection() {
  return section('Prometheus metrics, /stats.json and an HTML /stats page, on their own listener.', {
    enabled: boolean(false, 'Serve metrics.'),
    address: string('127.0.0.1:9000', { doc: 'Address of the metrics listener ("IP:port").', validate: validateSocketAddress }),
    path: string('/metrics', {
      doc: 'Path of the Prometheus text format; /stats.json serves the same numbers as JSON.',
      validate: (text) => (/^\/[!-~]*$/.test(text) && text !== '/stats.json' ? undefined : 'must start with "/" (and not be /stats.json)'),
    }),
    peer_clients: boolean(false, 'Count announces by client, read from the peer_id prefix (BEP 20): aquatic_peer_client_announces_total{client}. Known clients by name, the rest as "other".'),
  });
}

export function privilegesSection() {
  return section('Dropping root once every socket is bound, so that a root-started tracker can use ports below 1024 yet serve unprivileged.', {
    drop_privileges: boolean(false, 'After every socket of every worker is bound: chroot (if chroot_path is set), then switch to `user`. Needs root.'),
    chroot_path: string('', {
      doc: 'Directory to chroot into ("": none). Files read later (access list and TLS files on SIGUSR1) are then looked up inside it.',
      validate: (text) => (text === '' || text.startsWith('/') ? undefined : 'must be an absolute path, or "" for none'),
    }),
    user: string('nobody', {
      doc: 'User to run as: its uid, primary gid and supplementary groups.',
      validate: (text) => (/^[A-Za-z0-9._][A-Za-z0-9._-]*\$?$/.test(text) ? undefined : 'not a user name'),
    }),
  });
}

export const intervalJitterField = integer(0, {
  min: 0,
  max: 3600,
  doc: 'Seconds of random extra added to each announce interval, so that clients do not announce in lockstep (0: none).',
});

/** A Redis URL as ioredis takes it: redis:// or rediss:// (TLS) with a host. */
function validateRedisUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL (e.g. "redis://127.0.0.1:6379")';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return 'must start with redis:// or rediss://';
  return url.hostname === '' ? 'has no host' : undefined;
}

export function clusterSection() {
  return section('Several nodes sharing swarms through Redis 7 (see README, "Running several nodes"). Off by default.', {
    enabled: boolean(false, "Publish this node's peers to Redis and merge in the peers other nodes publish for the torrents this node serves."),
    redis_url: string('redis://127.0.0.1:6379', {
      doc: 'The Redis every node shares: redis://[[user]:password@]host:port[/db], or rediss:// for TLS.',
      validate: validateRedisUrl,
    }),
    node_id: string('', {
      doc: 'Name of this node in Redis (CLIENT LIST, the key_prefix + "nodes" sorted set) and in logs; empty: the host name.',
      validate: (text) => (/^[!-~]{0,64}$/.test(text) ? undefined : 'at most 64 printable ASCII characters, no spaces'),
    }),
    key_prefix: string('aquatic:', {
      doc: 'Prefix of every Redis key this node uses; separate clusters can share one Redis with different prefixes.',
      validate: (text) => (/^[!-~]{0,64}$/.test(text) ? undefined : 'at most 64 printable ASCII characters, no spaces'),
    }),
    sync_interval_ms: integer(1000, {
      min: 10,
      max: 60_000,
      doc: "Milliseconds between sync rounds (publish this node's updates, read the others'); peers reach other nodes within about two.",
    }),
    max_queued_updates: integer(100_000, {
      min: 1000,
      max: 10_000_000,
      doc: 'Peer updates waiting for Redis at most (44 bytes each); when Redis is down or slow the oldest are dropped and counted.',
    }),
  });
}

export type ClusterConfig = Infer<ReturnType<typeof clusterSection>>;
export function completedCountsSection() {
  return section('Completed-download counts (scrape "downloaded"): kept when a torrent loses its last peer, saved to a file, restored at start.', {
    max_retained_torrents: integer(1_000_000, {
      min: 0,
      max: 100_000_000,
      doc: 'Counts of torrents without peers kept in memory (about 72 bytes each); when full the smallest count goes. 0: a count goes with its last peer.',
    }),
    path: string('', { doc: 'File the counts are saved to (every interval and on shutdown) and restored from at start; a bad file is reported and skipped. "": not saved.' }),
    interval: integer(300, { min: 1, max: 86_400, doc: 'Seconds between saves of the counts file.' }),
  });
}

export function fullScrapeExportSection() {
  return section('Full-scrape export: every torrent with complete, incomplete and downloaded, written as JSON.', {
    path: string('', { doc: 'File written every interval (atomically: a temporary file renamed over it). "": no export.' }),
    interval: integer(300, { min: 1, max: 86_400, doc: 'Seconds between exports.' }),
  });
}

/** What every tracker has for its operators, in this order: access list, metrics, privileges, counts file, export. */
export function operationsSections() {
  return {
    access_list: accessListSection(),
    metrics: metricsSection(),
    privileges: privilegesSection(),
    completed_counts: completedCountsSection(),
    full_scrape_export: fullScrapeExportSection(),
  };
}

/** The periodic statistics line; `what` says what it counts. */
export function statisticsSection(what: string) {
  return section('Periodic statistics.', {
    interval: integer(5, { min: 1, max: 86_400, doc: 'Seconds between statistics lines.' }),
    print_to_stdout: boolean(false, `Print a line of ${what} to stdout every interval.`),
  });
}
