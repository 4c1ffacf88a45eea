// Composition root of aquatic_http: the swarm store, the request handler and the HTTP(S)
// transport from a frozen configuration, plus cleaning, statistics and SIGUSR1 certificate
// reloads.
import type { HttpConfig } from '../../config/http.js';
import { AquaticError, ErrorCode } from '../../errors.js';
import { TorrentStore } from '../../swarm/torrents.js';
import { HttpServer } from '../../transport/http/server.js';
import { formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { HttpRequestHandler } from './handler.js';
import { loadTlsFiles } from './tls-files.js';
import { AccessListHolder } from '../../access/access-list.js';
import { startCleaning, startStatisticsLine, swarmSummary } from '../periodic.js';

export interface HttpTracker {
  readonly port: number;
  readonly server: HttpServer;
  readonly handler: HttpRequestHandler;
  readonly store: TorrentStore;
  readonly failure: Promise<Error>;
  /** Re-reads the certificate files and the access list (what SIGUSR1 does). */
  reload(): void;
  close(): Promise<void>;
}

export async function startHttpTracker(config: HttpConfig, log: Logger): Promise<HttpTracker> {
  const address = parseSocketAddress(config.network.address);
  if (typeof address === 'string') throw new Error(`unvalidated address: ${address}`);
  if (config.socket_workers > 1) log.warn(`socket_workers = ${config.socket_workers}: aquatic_http runs one worker in this version`);
  const started = Date.now();
  const now = () => Math.floor((Date.now() - started) / 1000);
  const store = new TorrentStore();
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const handler = new HttpRequestHandler(
    store,
    {
      announceInterval: config.protocol.peer_announce_interval,
      minAnnounceInterval: config.protocol.min_announce_interval,
      maxPeers: config.protocol.max_peers,
      maxScrapeTorrents: config.protocol.max_scrape_torrents,
      maxPeerAge: config.cleaning.max_peer_age,
    },
    { behindProxy: config.network.runs_behind_reverse_proxy, trustedProxies: new Set(config.network.trusted_proxies) },
    now,
    access,
  );
  const server = new HttpServer(
    {
      host: address.host,
      port: address.port,
      keepAlive: config.network.keep_alive,
      maxRequestHeadBytes: config.network.max_request_head_bytes,
      idleTimeoutSeconds: config.network.idle_timeout,
      requestTimeoutSeconds: config.network.request_timeout,
      maxConnections: config.network.max_connections,
      forwardedHeader: config.network.runs_behind_reverse_proxy ? config.network.reverse_proxy_ip_header_name.toLowerCase() : '',
      ...(config.tls.use_tls ? { tls: loadTlsFiles(config.tls) } : {}),
    },
    handler.handle,
  );
  let port: number;
  try {
    port = await server.listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AquaticError(ErrorCode.BIND, `cannot listen on TCP ${config.network.address}: ${code}`, [], { cause: error });
  }
  log.info(`listening on ${config.tls.use_tls ? 'https' : 'http'}://${formatSocketAddress(address.host, port)}`);

  const reload = () => {
    access.reload();
    if (!config.tls.use_tls) return;
    try {
      server.setSecureContext(loadTlsFiles(config.tls));
      log.info('TLS certificate reloaded');
    } catch (error) {
      log.error(`TLS certificate not reloaded, keeping the old one: ${(error as Error).message}`);
    }
  };
  process.on('SIGUSR1', reload);

  const cleaning = startCleaning(store, now, config.cleaning.interval, log, access);
  const statistics = config.statistics.print_to_stdout
    ? startStatisticsLine(config.statistics.interval, handler.counters, (rate) =>
        `requests/s: announce ${rate('announce')}, scrape ${rate('scrape')}, failures ${rate('failures')}; ` +
        `connections ${server.connectionCount}; ${swarmSummary(store)}`)
    : undefined;

  return {
    port,
    server,
    handler,
    store,
    failure: new Promise<Error>(() => {}),
    reload,
    async close() {
      process.off('SIGUSR1', reload);
      clearInterval(cleaning);
      if (statistics !== undefined) clearInterval(statistics);
      await server.close();
    },
  };
}
