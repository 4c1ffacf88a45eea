// BEP 15 (UDP Tracker Protocol) constants. All integers on the wire are big-endian.

/** BEP 15: the magic protocol_id 0x41727101980 of a connect request, as two 32-bit halves. */
export const PROTOCOL_ID_HIGH = 0x417;
export const PROTOCOL_ID_LOW = 0x27101980;

/** BEP 15 actions. */
export const ACTION_CONNECT = 0;
export const ACTION_ANNOUNCE = 1;
export const ACTION_SCRAPE = 2;
export const ACTION_ERROR = 3;

/** BEP 15 announce events. */
export const EVENT_NONE = 0;
export const EVENT_COMPLETED = 1;
export const EVENT_STARTED = 2;
export const EVENT_STOPPED = 3;

/** BEP 15: connect request and response are 16 bytes. */
export const CONNECT_REQUEST_SIZE = 16;
export const CONNECT_RESPONSE_SIZE = 16;
/** BEP 15: an announce request is 98 bytes; BEP 41 options may follow, so longer is fine. */
export const ANNOUNCE_REQUEST_SIZE = 98;
/** BEP 15: connection_id, action, transaction_id open every request. */
export const REQUEST_HEADER_SIZE = 16;
/** BEP 15: action, transaction_id, interval, leechers, seeders. */
export const ANNOUNCE_RESPONSE_HEADER_SIZE = 20;
/** BEP 15: action, transaction_id before the per-torrent triples. */
export const SCRAPE_RESPONSE_HEADER_SIZE = 8;
/** BEP 15: seeders, completed, leechers per scraped torrent. */
export const SCRAPE_RESPONSE_ENTRY_SIZE = 12;
/** BEP 15: action, transaction_id before the message. */
export const ERROR_RESPONSE_HEADER_SIZE = 8;
export const INFO_HASH_SIZE = 20;
export const PEER_ID_SIZE = 20;
/** BEP 15 / BEP 23 compact peers: IPv4 address + port; BEP 15 IPv6: address + port. */
export const PEER_SIZE_V4 = 6;
export const PEER_SIZE_V6 = 18;

/**
 * Replies stay within 1220 bytes so they fit one unfragmented datagram on common paths
 * (opentracker's caps): 200 IPv4 peers or 66 IPv6 peers after the 20-byte header.
 */
export const MAX_PEERS_V4 = 200;
export const MAX_PEERS_V6 = 66;
/** BEP 15: "up to about 74 torrents can be scraped at once" ((1496 - 16) / 20). */
export const MAX_SCRAPE_TORRENTS_PER_PACKET = 74;
