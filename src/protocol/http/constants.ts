// HTTP tracker protocol constants (BEP 3, 7, 23, 31, 48), each citing where it comes from.

/**
 * Announce events, numbered as in BEP 15 so the swarm layer takes HTTP and UDP announces
 * alike. BEP 3: `started`, `completed`, `stopped`, or absent / `empty` (a regular update).
 */
export { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED } from '../udp/constants.js';

/** BEP 3: info_hash is the 20-byte SHA-1 of the info dict, sent percent-encoded. */
export const INFO_HASH_SIZE = 20;
/** BEP 3: peer_id is 20 arbitrary bytes, sent percent-encoded. */
export const PEER_ID_SIZE = 20;
/** BEP 23: a compact IPv4 peer is the address then the port, big-endian. */
export const PEER_SIZE_V4 = 6;
/** BEP 7: a compact IPv6 peer (`peers6`) is the 16-byte address then the port. */
export const PEER_SIZE_V6 = 18;

/** BEP 3: the announce URL's conventional path; configurable. */
export const DEFAULT_ANNOUNCE_PATH = '/announce';
/** BEP 48: the scrape URL replaces `announce` with `scrape` in the last path component. */
export const DEFAULT_SCRAPE_PATH = '/scrape';

/**
 * BEP 48 sets no limit on info hashes per scrape; aquatic_http answers at most 100 and
 * ignores the rest, opentracker 64, chihaya 50.
 */
export const DEFAULT_MAX_SCRAPE_HASHES = 100;

/**
 * BEP 3 byte counts (`uploaded`, `downloaded`, `left`) are kept as doubles, exact up to
 * 2^53 bytes (8 PiB); larger values are refused rather than silently rounded.
 */
export const MAX_BYTE_COUNT = 2 ** 53;
/** BEP 3 `port`: a TCP port; 0 cannot be connected to, so it is refused (as aquatic does). */
export const MAX_PORT = 65535;
/** `numwant` absent or negative (BEP 3 leaves it optional): the tracker's default applies. */
export const NUMWANT_DEFAULT = -1;

/** Announce query keys the tracker reads (BEP 3 and BEP 23). Everything else is ignored. */
export const AnnounceKey = {
  /** BEP 3 */
  INFO_HASH: 'info_hash',
  /** BEP 3 */
  PEER_ID: 'peer_id',
  /** BEP 3 */
  PORT: 'port',
  /** BEP 3 */
  UPLOADED: 'uploaded',
  /** BEP 3 */
  DOWNLOADED: 'downloaded',
  /** BEP 3 */
  LEFT: 'left',
  /** BEP 3 */
  EVENT: 'event',
  /** BEP 3 (optional) */
  NUMWANT: 'numwant',
  /** BEP 23 */
  COMPACT: 'compact',
  /** wiki.theory.org convention: omit `peer id` from non-compact peer dicts. */
  NO_PEER_ID: 'no_peer_id',
} as const;

/** BEP 3 `event` values. `empty` (sent by some clients) and BEP 21 `paused` mean none. */
export const EventName = {
  STARTED: 'started',
  COMPLETED: 'completed',
  STOPPED: 'stopped',
  EMPTY: 'empty',
  PAUSED: 'paused',
} as const;

/** Response dictionary keys. A bencoded dict lists its keys in raw byte order (BEP 3). */
export const ResponseKey = {
  /** BEP 48 (also in announce replies by convention): seeders. */
  COMPLETE: 'complete',
  /** BEP 48: completed downloads. */
  DOWNLOADED: 'downloaded',
  /** BEP 3: the reply to a failed request, and nothing else beside it (but BEP 31 `retry in`). */
  FAILURE_REASON: 'failure reason',
  /** BEP 48 */
  FILES: 'files',
  /** BEP 48: optional scrape flags. */
  FLAGS: 'flags',
  /** BEP 48: leechers. */
  INCOMPLETE: 'incomplete',
  /** BEP 3: seconds between regular announces. */
  INTERVAL: 'interval',
  /** BEP 3 non-compact peer dict. */
  IP: 'ip',
  /** wiki.theory.org convention (not a BEP): clients must not announce more often. */
  MIN_INTERVAL: 'min interval',
  /** BEP 48 flag. */
  MIN_REQUEST_INTERVAL: 'min_request_interval',
  /** BEP 3 non-compact peer dict. */
  PEER_ID: 'peer id',
  /** BEP 3 / BEP 23 */
  PEERS: 'peers',
  /** BEP 7 */
  PEERS6: 'peers6',
  /** BEP 3 non-compact peer dict. */
  PORT: 'port',
  /** BEP 31: minutes before retrying, or the string `never`. */
  RETRY_IN: 'retry in',
} as const;
