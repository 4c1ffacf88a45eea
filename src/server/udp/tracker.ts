// Composition root of aquatic_udp: builds the swarm store, the connection-ID validator,
// the request handler and the transport from a frozen configuration, and runs the
// periodic cleaning and statistics.
import type { UdpConfig } from '../../config/udp.js';
import { TorrentStore } from '../../swarm/torrents.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { openUdpTransport, type UdpTransport } from '../../transport/udp/index.js';
import { startWorkerPool } from '../workers/pool.js';
import { attachMetrics } from '../../metrics/server.js';
import { storeValues, udpSamples } from '../../metrics/tracker-samples.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';
import { shardSettings } from '../workers/shared.js';
import { startCleaning, startStatisticsLine, storeKeys, summaryOf, swarmSummary, closeInOrder } from '../periodic.js';
import { type SocketAddress, formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { ConnectionIdValidator, createConnectionIdSecret, type ConnectionIdSecret } from './connection-id.js';
import { AccessListHolder } from '../../access/access-list.js';
import { type TrackerHooks, checkHooks, hookRunnerFor } from '../hooks.js';
import { UdpRequestHandler } from './handler.js';
import { type ClusterSync, startClusterSync } from '../../cluster/start.js';
import { restoreStoreFiles } from '../../persistence/tracker-files.js';
import { LocalSwarms, protocolOptions } from './local-swarms.js';

export interface UdpTracker {
  /** The bound port (after binding port 0, the one the kernel chose). */
  readonly port: number;
  /** Resolves with the error if the tracker stops by itself (a worker thread died). */
  readonly failure: Promise<Error>;
  /** Re-reads the access list (what SIGUSR1 does). */
  reload(): void;
  close(): Promise<void>;
}

/** The tracker when it runs in this thread: its parts are open to inspection (tests). */
export interface SingleThreadUdpTracker extends UdpTracker {
  readonly transport: UdpTransport;
  readonly handler: UdpRequestHandler;
  readonly store: TorrentStore;
  /** The Redis sync with [cluster] enabled, else null. */
  readonly cluster: ClusterSync | null;
}

export interface UdpTrackerOptions {
  /** Shared by every worker so that any worker accepts any worker's IDs. */
  readonly secret?: ConnectionIdSecret;
  /** Clock in milliseconds (tests move time with it). */
  readonly clock?: () => number;
  /** The embedder's filter and observers; only with socket_workers = swarm_workers = 1. */
  readonly hooks?: TrackerHooks;
}

/**
 * Starts aquatic_udp: in this thread when socket_workers = swarm_workers = 1 (the fastest
 * choice on one core), otherwise as a pool of socket and swarm worker threads.
 */
export async function startUdpTracker(config: UdpConfig, log: Logger, options: UdpTrackerOptions = {}): Promise<UdpTracker> {
  const secret = options.secret ?? createConnectionIdSecret();
  checkHooks(options.hooks, config); // before any thread starts
  if (config.socket_workers > 1 || config.swarm_workers > 1) {
    const { binding, reason } = loadNativeBinding();
    if (binding !== null) {
      const address = parseSocketAddress(config.network.address) as SocketAddress;
      const pool = await startWorkerPool(
        {
          socketWorker: new URL('./socket-worker.js', import.meta.url),
          extra: undefined,
          config,
          shard: shardSettings('aquatic_udp', config, protocolOptions(config), config.cleaning.max_connection_age),
          address,
          socketWorkers: config.socket_workers,
          swarmWorkers: config.swarm_workers,
          secret,
          describe: (port) => `udp ${formatSocketAddress(address.host, port)}, native transport`,
          statisticsLine: (sum, rate) =>
            `requests/s: connect ${rate('connect')}, announce ${rate('announce')}, scrape ${rate('scrape')}, errors ${rate('errors')}, ` +
            `invalid ${rate('invalid')}, bad connection IDs ${rate('badConnectionId')}; ${summaryOf(storeKeys(sum))}`,
        },
        log,
      );
      return attachMetrics(pool, config.metrics, async () => udpSamples(await pool.refreshStats()), log);
    }
    log.warn(`socket_workers and swarm_workers above 1 need the native addon (${reason}): running in one thread`);
  }
  return startSingleThreadUdpTracker(config, log, { ...options, secret });
}

export async function startSingleThreadUdpTracker(
  config: UdpConfig,
  log: Logger,
  options: UdpTrackerOptions = {},
): Promise<SingleThreadUdpTracker> {
  const address = parseSocketAddress(config.network.address);
  if (typeof address === 'string') throw new Error(`unvalidated address: ${address}`);
  const store = new TorrentStore(config.completed_counts.max_retained_torrents);
  const startFiles = await restoreStoreFiles('aquatic_udp', config, store, log);
  const secret = options.secret ?? createConnectionIdSecret();
  const validator = new ConnectionIdValidator(secret, config.cleaning.max_connection_age, options.clock);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const hooks = hookRunnerFor(options.hooks, config, log);
  const handler = new UdpRequestHandler(validator, new LocalSwarms(store, validator, protocolOptions(config)), log, true, access, peerClients, hooks);
  const reloadAccessList = () => access.reload();
  process.on('SIGUSR1', reloadAccessList);
  const transport = await openUdpTransport(
    {
      host: address.host,
      port: address.port,
      onlyIpv6: config.network.only_ipv6,
      reusePort: false,
      recvBufferSize: config.network.socket_recv_buffer_size,
      sendBufferSize: config.network.socket_send_buffer_size,
      batchSize: config.network.batch_size,
    },
    log,
  );
  transport.start(handler.handleBatch);
  log.info(`listening on udp ${config.network.address.replace(/:\d+$/, '')}:${transport.port} (${transport.kind} transport)`);

  const swarmClock = () => {
    validator.tick();
    return validator.now;
  };
  const files = startFiles();
  const cluster = await startClusterSync(config.cluster, store, { epochMs: secret.epochMs, now: swarmClock }, config.cleaning.max_peer_age, log, 'main');
  const cleaning = startCleaning(store, swarmClock, config.cleaning.interval, log, access);
  const statistics = config.statistics.print_to_stdout
    ? startStatisticsLine(config.statistics.interval, handler.counters, (rate) =>
        `requests/s: connect ${rate('connect')}, announce ${rate('announce')}, scrape ${rate('scrape')}, errors ${rate('errors')}, ` +
        `invalid ${rate('invalid')}, bad connection IDs ${rate('badConnectionId')}; ${swarmSummary(store)}`)
    : undefined;

  return attachMetrics(
    {
      port: transport.port,
      failure: new Promise<Error>(() => {}),
      reload: reloadAccessList,
      transport,
      handler,
      store,
      cluster,
      close: closeInOrder(reloadAccessList, [cleaning, statistics], async () => {
        await transport.close();
        await cluster?.close();
        await files.close();
      }),
    },
    config.metrics,
    () => udpSamples(new Map([['main', { ...handler.counters, ...transport.counters, ...storeValues(store), ...peerClients?.values(), ...cluster?.values() }]])),
    log,
  );
}

