// Composition root of aquatic_ws: the torrents, the message handler and the WebSocket
// transport from a frozen configuration, plus cleaning, statistics and SIGUSR1 certificate
// reloads.
import type { WsConfig } from '../../config/ws.js';
import { WsTorrents } from '../../swarm/ws-swarms.js';
import { WsServer, type WsServerOptions, type WsTransport } from '../../transport/ws/server.js';
import { NativeWsServer } from '../../transport/ws/native-server.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { listenOrExplain, loadTlsFiles, reloadTlsInto } from '../tls-files.js';
import { AccessListHolder } from '../../access/access-list.js';
import { type TrackerHooks, hookRunnerFor } from '../hooks.js';
import { attachMetrics } from '../../metrics/server.js';
import { retainedValues, wsSamples } from '../../metrics/tracker-samples.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';
import { startStatisticsLine, closeInOrder } from '../periodic.js';
import type { WsConnection } from './connection.js';
import { restoreStoreFiles } from '../../persistence/tracker-files.js';
import { WsMessageHandler } from './handler.js';

export interface WsTracker {
  readonly port: number;
  readonly server: WsTransport;
  readonly handler: WsMessageHandler;
  readonly torrents: WsTorrents<WsConnection>;
  readonly failure: Promise<Error>;
  /** Re-reads the certificate files and the access list (what SIGUSR1 does). */
  reload(): void;
  /** One cleaning sweep now (the timer runs it every `cleaning.interval`). */
  clean(): { peersRemoved: number; torrentsRemoved: number };
  close(): Promise<void>;
}

export async function startWsTracker(config: WsConfig, log: Logger, hooks?: TrackerHooks): Promise<WsTracker> {
  const address = parseSocketAddress(config.network.address);
  if (typeof address === 'string') throw new Error(`unvalidated address: ${address}`);
  if (config.socket_workers > 1) log.warn(`socket_workers = ${config.socket_workers}: aquatic_ws runs one worker in this version`);
  const started = Date.now();
  const now = () => Math.floor((Date.now() - started) / 1000);
  const torrents = new WsTorrents<WsConnection>(config.completed_counts.max_retained_torrents);
  const startFiles = await restoreStoreFiles('aquatic_ws', config, torrents, log);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const handler = new WsMessageHandler(
    torrents,
    {
      announceInterval: config.protocol.peer_announce_interval,
      intervalJitter: config.protocol.interval_jitter,
      maxOffers: config.protocol.max_offers,
      maxScrapeTorrents: config.protocol.max_scrape_torrents,
      allowFullScrape: config.protocol.allow_full_scrape,
      maxSwarmsPerConnection: config.protocol.max_swarms_per_connection,
      maxPeerAge: config.cleaning.max_peer_age,
      maxOfferAge: config.cleaning.max_offer_age,
    },
    now,
    access,
    peerClients,
    hookRunnerFor(hooks, config, log),
  );
  const network = config.network;
  const options: WsServerOptions = {
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
  // Plain ws:// on Linux runs on the addon's epoll streams; wss:// (and no addon) on node:https + `ws`.
  let server: WsTransport;
  let tlsServer: WsServer<WsConnection> | undefined;
  const { binding, reason } = config.tls.use_tls ? { binding: null, reason: 'TLS' } : loadNativeBinding();
  if (binding !== null) {
    server = new NativeWsServer(binding, options, handler, log);
  } else {
    tlsServer = new WsServer({ ...options, ...(config.tls.use_tls ? { tls: loadTlsFiles(config.tls) } : {}) }, handler, log);
    server = tlsServer;
    if (!config.tls.use_tls && log.debugEnabled) log.debug(`WebSocket transport on node:http and ws (${reason})`);
  }
  const port = await listenOrExplain(server.listen(), config.network.address);
  log.info(`listening on ${config.tls.use_tls ? 'wss' : 'ws'}://${formatSocketAddress(address.host, port)} (${server.kind} transport)`);

  const reload = () => {
    access.reload();
    if (tlsServer !== undefined) reloadTlsInto(config.tls, tlsServer, log);
  };
  process.on('SIGUSR1', reload);

  const files = startFiles();
  const clean = () => {
    const begun = performance.now();
    const removed = torrents.clean(now(), handler.forgetExpired);
    if (log.debugEnabled) {
      log.debug(`cleaned ${removed.peersRemoved} peers and ${removed.torrentsRemoved} torrents in ${(performance.now() - begun).toFixed(1)} ms`);
    }
    return removed;
  };
  const cleaning = setInterval(clean, config.cleaning.interval * 1000);
  cleaning.unref();
  const statistics = config.statistics.print_to_stdout
    ? startStatisticsLine(config.statistics.interval, handler.counters, (rate) =>
        `messages/s: announce ${rate('announces')}, offers relayed ${rate('offersRelayed')}, answers relayed ${rate('answersRelayed')}, ` +
        `scrape ${rate('scrapes')}, failures ${rate('failures')}; connections ${server.connectionCount}; ` +
        `torrents ${torrents.torrentCount}, peers ${torrents.peers} (${torrents.seeders} seeders)`)
    : undefined;

  return attachMetrics(
    {
      port,
      server,
      handler,
      torrents,
      failure: new Promise<Error>(() => {}),
      reload,
      clean,
      close: closeInOrder(reload, [cleaning, statistics], async () => {
        await server.close();
        await files.close();
      }),
    },
    config.metrics,
    () => wsSamples(new Map([['main', { ...handler.counters, ...server.counters, connections: server.connectionCount, torrents: torrents.torrentCount, peers: torrents.peers, seeders: torrents.seeders, ...peerClients?.values(), ...retainedValues(torrents.retained) }]])),
    log,
  );
}
