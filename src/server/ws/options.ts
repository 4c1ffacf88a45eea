// aquatic_ws's configuration as its parts take it: the message handler's protocol options
// and the WebSocket transport's options (used by the tracker and by its socket workers).
import type { WsConfig } from '../../config/ws.js';
import type { WsServerOptions } from '../../transport/ws/transport.js';
import type { SocketAddress } from '../../util/address.js';
import type { WsProtocolOptions } from './handler.js';

export function wsProtocolOptions(config: WsConfig): WsProtocolOptions {
  return {
    announceInterval: config.protocol.peer_announce_interval,
    intervalJitter: config.protocol.interval_jitter,
    maxOffers: config.protocol.max_offers,
    maxScrapeTorrents: config.protocol.max_scrape_torrents,
    allowFullScrape: config.protocol.allow_full_scrape,
    maxSwarmsPerConnection: config.protocol.max_swarms_per_connection,
    maxPeerAge: config.cleaning.max_peer_age,
    maxOfferAge: config.cleaning.max_offer_age,
  };
}

export function wsServerOptions(config: WsConfig, address: SocketAddress): WsServerOptions {
  const network = config.network;
  return {
    host: address.host,
    port: address.port,
    ipv6Only: network.only_ipv6,
    maxConnections: network.max_connections,
    maxMessageSize: network.max_message_size,
    pingIntervalSeconds: network.ping_interval,
    idleTimeoutSeconds: network.idle_timeout,
    sendBufferLimit: network.send_buffer_limit,
    allowOrigins: new Set(network.allow_origins),
    denyOrigins: new Set(network.deny_origins),
    denyEmptyOrigin: network.deny_empty_origin,
  };
}
