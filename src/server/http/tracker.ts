// Composition root of aquatic_http: the swarm store, the request handler and the HTTP(S)
// transport from a frozen configuration, plus cleaning, statistics and SIGUSR1 certificate
// reloads.
import type { HttpConfig } from '../../config/http.js';
import { TorrentStore } from '../../swarm/torrents.js';
import { HttpServer } from '../../transport/http/server.js';
import { type SocketAddress, formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import { MAX_PEERS_V4 } from '../../protocol/udp/constants.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { createConnectionIdSecret } from '../udp/connection-id.js';
import { startWorkerPool } from '../workers/pool.js';
import { attachMetrics } from '../../metrics/server.js';
import { httpSamples, storeValues } from '../../metrics/tracker-samples.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';
import { shardSettings } from '../workers/shared.js';
import { MAX_SHARDED_SCRAPE } from './sharded-swarms.js';
import type { Logger } from '../../util/log.js';
import { type HttpProtocolOptions, HttpRequestHandler, LocalHttpSwarms, httpServerValues } from './handler.js';
import type { ClientAddressPolicy } from './client-address.js';
import { listenOrExplain, loadTlsFiles, reloadTlsInto } from '../tls-files.js';
import { AccessListHolder } from '../../access/access-list.js';
import { type ClusterSync, startClusterSync } from '../../cluster/start.js';
import { type TrackerHooks, checkHooks, hookRunnerFor } from '../hooks.js';
import { startCleaning, startStatisticsLine, storeKeys, summaryOf, swarmSummary, closeInOrder } from '../periodic.js';
import { restoreStoreFiles } from '../../persistence/tracker-files.js';

export interface HttpTracker {
  readonly port: number;
  /** Resolves with the error if the tracker stops by itself (a worker thread died). */
  readonly failure: Promise<Error>;
  /** Re-reads the certificate files and the access list (what SIGUSR1 does). */
  reload(): void;
  close(): Promise<void>;
}

/** The tracker when it runs in this thread: its parts are open to inspection (tests). */
export interface SingleThreadHttpTracker extends HttpTracker {
  readonly server: HttpServer;
  readonly handler: HttpRequestHandler;
  readonly store: TorrentStore;
  /** The Redis sync with [cluster] enabled, else null. */
  readonly cluster: ClusterSync | null;
}

/**
 * Starts aquatic_http: in this thread when socket_workers = swarm_workers = 1, otherwise
 * socket worker threads (one SO_REUSEPORT listener each) in front of swarm shard threads.
 */
export async function startHttpTracker(config: HttpConfig, log: Logger, hooks?: TrackerHooks): Promise<HttpTracker> {
  checkHooks(hooks, config); // before any thread starts
  if (config.socket_workers > 1 || config.swarm_workers > 1) {
    const { binding, reason } = loadNativeBinding();
    if (binding !== null) {
      if (config.tls.use_tls) loadTlsFiles(config.tls); // report certificate problems before starting threads
      new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
      const address = parseSocketAddress(config.network.address) as SocketAddress;
      const pool = await startWorkerPool(
        {
          socketWorker: new URL('./socket-worker.js', import.meta.url),
          extra: undefined,
          config,
          shard: shardSettings(
            'aquatic_http',
            config,
            {
              maxResponsePeers: Math.min(config.protocol.max_peers, MAX_PEERS_V4),
              maxScrapeTorrents: Math.min(config.protocol.max_scrape_torrents, MAX_SHARDED_SCRAPE),
              announceInterval: config.protocol.peer_announce_interval,
              intervalJitter: config.protocol.interval_jitter,
              maxPeerAge: config.cleaning.max_peer_age,
            },
            // Shards never check connection IDs for HTTP; any age works.
            3600,
          ),
          address,
          socketWorkers: config.socket_workers,
          swarmWorkers: config.swarm_workers,
          secret: createConnectionIdSecret(),
          describe: (port) => `${config.tls.use_tls ? 'https' : 'http'}://${formatSocketAddress(address.host, port)}`,
          statisticsLine: (sum, rate) =>
            `requests/s: announce ${rate('announce')}, scrape ${rate('scrape')}, failures ${rate('failures')}; ` +
            `connections ${sum('connections')}; ${summaryOf(storeKeys(sum))}`,
        },
        log,
      );
      return attachMetrics(pool, config.metrics, async () => httpSamples(await pool.refreshStats()), log);
    }
    log.warn(`socket_workers and swarm_workers above 1 need the native addon (${reason}): running in one thread`);
  }
  return startSingleThreadHttpTracker(config, log, hooks);
}

export async function startSingleThreadHttpTracker(config: HttpConfig, log: Logger, hooks?: TrackerHooks): Promise<SingleThreadHttpTracker> {
  const address = parseSocketAddress(config.network.address);
  if (typeof address === 'string') throw new Error(`unvalidated address: ${address}`);
  const started = Date.now();
  const now = () => Math.floor((Date.now() - started) / 1000);
  const store = new TorrentStore(config.completed_counts.max_retained_torrents);
  const startFiles = await restoreStoreFiles('aquatic_http', config, store, log);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const handler = new HttpRequestHandler(
    new LocalHttpSwarms(store, config.cleaning.max_peer_age, now, config.protocol.max_scrape_torrents),
    httpProtocolOptions(config),
    proxyPolicy(config),
    access,
    peerClients,
    hookRunnerFor(hooks, config, log),
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
  const port = await listenOrExplain(server.listen(), config.network.address);
  log.info(`listening on ${config.tls.use_tls ? 'https' : 'http'}://${formatSocketAddress(address.host, port)}`);

  const reload = () => {
    access.reload();
    reloadTlsInto(config.tls, server, log);
  };
  process.on('SIGUSR1', reload);

  const files = startFiles();
  const cluster = await startClusterSync(config.cluster, store, { epochMs: started, now }, config.cleaning.max_peer_age, log, 'main');
  const cleaning = startCleaning(store, now, config.cleaning.interval, log, access);
  const statistics = config.statistics.print_to_stdout
    ? startStatisticsLine(config.statistics.interval, handler.counters, (rate) =>
        `requests/s: announce ${rate('announce')}, scrape ${rate('scrape')}, failures ${rate('failures')}; ` +
        `connections ${server.connectionCount}; ${swarmSummary(store)}`)
    : undefined;

  return attachMetrics(
    {
      port,
      server,
      handler,
      store,
      cluster,
      failure: new Promise<Error>(() => {}),
      reload,
      close: closeInOrder(reload, [cleaning, statistics], async () => {
        await server.close();
        await cluster?.close();
        await files.close();
      }),
    },
    config.metrics,
    () => httpSamples(new Map([['main', { ...handler.counters, ...httpServerValues(server), ...storeValues(store), ...peerClients?.values(), ...cluster?.values() }]])),
    log,
  );
}

export function httpProtocolOptions(config: HttpConfig): HttpProtocolOptions {
  return {
    announceInterval: config.protocol.peer_announce_interval,
    intervalJitter: config.protocol.interval_jitter,
    minAnnounceInterval: config.protocol.min_announce_interval,
    maxPeers: config.protocol.max_peers,
    maxScrapeTorrents: config.protocol.max_scrape_torrents,
    allowFullScrape: config.protocol.allow_full_scrape,
  };
}

export function proxyPolicy(config: HttpConfig): ClientAddressPolicy {
  return { behindProxy: config.network.runs_behind_reverse_proxy, trustedProxies: new Set(config.network.trusted_proxies) };
}
