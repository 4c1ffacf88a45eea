// Composition root of aquatic_ws: the torrents, the message handler and the WebSocket
// transport from a frozen configuration, plus cleaning, statistics and SIGUSR1 certificate
// reloads; or, with socket_workers or swarm_workers above 1, a pool of socket worker threads
// in front of WebTorrent shard threads.
import type { WsConfig } from '../../config/ws.js';
import { WsTorrents } from '../../swarm/ws-swarms.js';
import { WsServer } from '../../transport/ws/server.js';
import type { WsTransport } from '../../transport/ws/transport.js';
import { NativeWsServer } from '../../transport/ws/native-server.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { type SocketAddress, formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { listenOrExplain, loadTlsFiles, reloadTlsInto } from '../tls-files.js';
import { AccessListHolder } from '../../access/access-list.js';
import { type TrackerHooks, checkHooks, hookRunnerFor } from '../hooks.js';
import { attachMetrics } from '../../metrics/server.js';
import { type CounterRecord, retainedValues, wsSamples } from '../../metrics/tracker-samples.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';
import { restoreStoreFiles } from '../../persistence/tracker-files.js';
import { startStatisticsLine, closeInOrder } from '../periodic.js';
import { createConnectionIdSecret } from '../udp/connection-id.js';
import { startWorkerPool } from '../workers/pool.js';
import { shardSettings } from '../workers/shared.js';
import type { WsConnection } from './connection.js';
import { createWsSharedMemory } from './connection-slots.js';
import { WsMessageHandler } from './handler.js';
import { wsProtocolOptions, wsServerOptions } from './options.js';

export interface WsTracker {
  /** The bound port (after binding port 0, the one the kernel chose). */
  readonly port: number;
  /** Resolves with the error if the tracker stops by itself (a worker thread died). */
  readonly failure: Promise<Error>;
  /** Re-reads the certificate files and the access list (what SIGUSR1 does). */
  reload(): void;
  /** Message counters, connections and swarm gauges, summed over every thread. */
  statistics(): Promise<CounterRecord>;
  close(): Promise<void>;
}

/** The tracker when it runs in this thread: its parts are open to inspection (tests). */
export interface SingleThreadWsTracker extends WsTracker {
  readonly server: WsTransport;
  readonly handler: WsMessageHandler;
  readonly torrents: WsTorrents<WsConnection>;
  /** One cleaning sweep now (the timer runs it every `cleaning.interval`). */
  clean(): { peersRemoved: number; torrentsRemoved: number };
}

/** The statistics line, from one thread's counters or summed over workers. */
function statisticsLine(rate: (key: string) => string, sum: (key: string) => number): string {
  return (
    `messages/s: announce ${rate('announces')}, offers relayed ${rate('offersRelayed')}, answers relayed ${rate('answersRelayed')}, ` +
    `scrape ${rate('scrapes')}, failures ${rate('failures')}; connections ${sum('connections')}; ` +
    `torrents ${sum('torrents')}, peers ${sum('peers')} (${sum('seeders')} seeders)`
  );
}

function summed(workers: ReadonlyMap<string, CounterRecord>): CounterRecord {
  const total: Record<string, number> = {};
  for (const values of workers.values()) for (const [key, n] of Object.entries(values)) total[key] = (total[key] ?? 0) + n;
  return total;
}

/**
 * Starts aquatic_ws: in this thread when socket_workers = swarm_workers = 1, otherwise socket
 * worker threads (one SO_REUSEPORT listener each, on the native addon) in front of shard
 * threads that own the swarms. wss:// always runs in one thread; hooks refuse workers.
 */
export async function startWsTracker(config: WsConfig, log: Logger, hooks?: TrackerHooks): Promise<WsTracker> {
  checkHooks(hooks, config); // before any thread starts
  if (config.socket_workers > 1 || config.swarm_workers > 1) {
    const { binding, reason } = config.tls.use_tls ? { binding: null, reason: 'wss:// runs on node:https' } : loadNativeBinding();
    if (binding !== null) return startWsWorkerPool(config, log);
    log.warn(`socket_workers and swarm_workers above 1 need plain ws:// on the native addon (${reason}): running in one thread`);
  }
  return startSingleThreadWsTracker(config, log, hooks);
}

async function startWsWorkerPool(config: WsConfig, log: Logger): Promise<WsTracker> {
  new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message)); // report list problems before starting threads
  const address = parseSocketAddress(config.network.address) as SocketAddress;
  const pool = await startWorkerPool(
    {
      socketWorker: new URL('./socket-worker.js', import.meta.url),
      shardWorker: new URL('./shard-worker.js', import.meta.url),
      // A record holds at most one client message (or what a shard makes of one): room for two,
      // with bursts waiting in the socket workers (SpillingSink) or the shards (allocWaiting).
      ringBytes: 2 ** Math.ceil(Math.log2(2 * (config.network.max_message_size + 4096))),
      extra: createWsSharedMemory(config.socket_workers, config.network.max_connections),
      config,
      shard: shardSettings('aquatic_ws', config, { ...wsProtocolOptions(config), peerClients: peerClientCounts(config.metrics) !== null }, 0),
      address,
      socketWorkers: config.socket_workers,
      swarmWorkers: config.swarm_workers,
      secret: createConnectionIdSecret(),
      describe: (port) => `ws://${formatSocketAddress(address.host, port)}`,
      statisticsLine: (sum, rate) => statisticsLine(rate, sum),
    },
    log,
  );
  const statistics = async () => summed(await pool.refreshStats());
  return attachMetrics({ ...pool, statistics }, config.metrics, async () => wsSamples(await pool.refreshStats()), log);
}

export async function startSingleThreadWsTracker(config: WsConfig, log: Logger, hooks?: TrackerHooks): Promise<SingleThreadWsTracker> {
  const address = parseSocketAddress(config.network.address);
  if (typeof address === 'string') throw new Error(`unvalidated address: ${address}`);
  const started = Date.now();
  const now = () => Math.floor((Date.now() - started) / 1000);
  const torrents = new WsTorrents<WsConnection>(config.completed_counts.max_retained_torrents);
  const startFiles = await restoreStoreFiles('aquatic_ws', config, torrents, log);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const handler = new WsMessageHandler(torrents, wsProtocolOptions(config), now, access, peerClients, hookRunnerFor(hooks, config, log));
  const options = wsServerOptions(config, address);
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
  const values = (): CounterRecord => ({
    ...handler.counters,
    ...server.counters,
    connections: server.connectionCount,
    torrents: torrents.torrentCount,
    peers: torrents.peers,
    seeders: torrents.seeders,
    ...peerClients?.values(),
    ...retainedValues(torrents.retained),
  });
  const statistics = config.statistics.print_to_stdout
    ? startStatisticsLine(config.statistics.interval, handler.counters, (rate) => statisticsLine(rate as (key: string) => string, (key) => values()[key] ?? 0))
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
      statistics: async () => values(),
      close: closeInOrder(reload, [cleaning, statistics], async () => {
        await server.close();
        await files.close();
      }),
    },
    config.metrics,
    () => wsSamples(new Map([['main', values()]])),
    log,
  );
}
