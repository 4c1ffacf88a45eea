// One HTTP load worker: its connections, the world they share and the timer that expires
// requests. Runs in the main thread (workers = 1) or in a worker thread; counts into `stats`.
import net from 'node:net';
import tls from 'node:tls';
import type { HttpLoadTestConfig } from '../../config/http-load-test.js';
import { formatSocketAddress, parseSocketAddress } from '../../util/address.js';
import type { RunnableLoadWorker } from '../common/worker-thread.js';
import { type Population, buildPopulation } from '../common/population.js';
import { clientAddress, sweepIntervalMs, workerRandom } from '../common/worker-setup.js';
import { type HttpRequestPlan, LoadConnection, type SocketOpener } from './connection.js';

export class HttpLoadWorker implements RunnableLoadWorker<null> {
  readonly info = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly connections: readonly LoadConnection[],
    private readonly sweepIntervalMs: number,
  ) {}

  /** Builds the world (or takes a prebuilt one) and this worker's connections (not yet open). */
  static async open(config: HttpLoadTestConfig, workerIndex: number, stats: Float64Array, population?: Population): Promise<HttpLoadWorker> {
    const target = parseSocketAddress(config.server_address);
    if (typeof target === 'string') throw new Error(`unvalidated server_address: ${target}`);
    const { requests, network } = config;
    const world = population ?? buildPopulation(config);
    const plan: HttpRequestPlan = {
      population: world,
      peerStarted: new Uint8Array(world.peerCount),
      random: workerRandom(config.seed, workerIndex),
      announceWeight: requests.weight_announce,
      totalWeight: requests.weight_announce + requests.weight_scrape,
      scrapeMaxTorrents: requests.scrape_max_torrents,
      numWant: requests.announce_peers_wanted,
      timeoutMs: config.request_timeout_ms,
      target: {
        host: formatSocketAddress(target.host, target.port),
        announcePath: requests.announce_path,
        scrapePath: requests.scrape_path,
        keepAlive: network.keep_alive,
        maxScrapeHashes: requests.scrape_max_torrents,
      },
      open: socketOpener(target.host, target.port, clientAddress(target.family, network.multiple_client_ipv4s, workerIndex), network.use_tls),
    };
    const perWorker = network.connections;
    const connectionCount = config.workers * perWorker;
    const connections = Array.from(
      { length: perWorker },
      (_, k) => new LoadConnection(plan, stats, workerIndex * perWorker + k, connectionCount),
    );
    return new HttpLoadWorker(connections, sweepIntervalMs(config.request_timeout_ms));
  }

  start(): void {
    for (const connection of this.connections) connection.start();
    this.timer = setInterval(this.sweep, this.sweepIntervalMs);
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const connection of this.connections) connection.sweep(now);
  };

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.connections.map((connection) => connection.stop()));
  }
}

function socketOpener(host: string, port: number, localAddress: string, useTls: boolean): SocketOpener {
  // noDelay: a request must not wait on Nagle's algorithm for an ACK (wrk sets TCP_NODELAY too).
  // Binding before connecting costs a port search per connection (Node cannot set
  // IP_BIND_ADDRESS_NO_PORT): only bind where the kernel would pick another source itself
  // (it picks 127.0.0.1 or ::1 for a loopback destination).
  const source = localAddress === '127.0.0.1' || localAddress === '::1' ? {} : { localAddress };
  const connect = (): net.Socket => net.connect({ host, port, ...source, noDelay: true });
  if (!useTls) return (onReady) => connect().once('connect', onReady);
  // Loopback only (server_address is checked), so an unverified certificate risks nothing.
  return (onReady) => tls.connect({ socket: connect(), rejectUnauthorized: false }, onReady);
}

