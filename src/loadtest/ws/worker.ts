// One WebTorrent load worker: its connections (opened connection_creation_interval_ms apart),
// the torrents they share and the timer that expires requests. Runs in the main thread
// (workers = 1) or in a worker thread; counts into `stats`.
import type { WsLoadTestConfig } from '../../config/ws-load-test.js';
import { buildPopulation } from '../common/population.js';
import type { RunnableLoadWorker } from '../common/worker-thread.js';
import type { Random } from '../common/random.js';
import { sweepIntervalMs, workerRandom } from '../common/worker-setup.js';
import { StartGate, type WsLoadPlan, WsLoadConnection, type WsTorrentSet } from './connection.js';
import { dummySdp, quote } from './request.js';
import { type ClientConnector, leanConnector, wsPackageConnector } from './client-socket.js';
import { parseSocketAddress } from '../../util/address.js';

export class WsLoadWorker implements RunnableLoadWorker<null> {
  readonly info = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private openTimer: NodeJS.Timeout | null = null;
  private gateTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly connections: readonly WsLoadConnection[],
    private readonly creationIntervalMs: number,
    private readonly sweepIntervalMs: number,
    private readonly startGate: StartGate | null,
    /** After the last connection is started, the gate opens at the latest this much later. */
    private readonly startDeadlineMs: number,
  ) {}

  /** Builds the torrents and this worker's connections (not yet open). */
  static async open(config: WsLoadTestConfig, workerIndex: number, stats: Float64Array): Promise<WsLoadWorker> {
    const { requests, network } = config;
    const torrents = buildTorrentSet(config);
    const perWorker = network.connections_per_worker;
    const random = workerRandom(config.seed, workerIndex);
    const plan: WsLoadPlan = {
      connect: connector(config, random),
      torrents,
      random,
      announceWeight: requests.weight_announce,
      totalWeight: requests.weight_announce + requests.weight_scrape,
      scrapeMaxTorrents: requests.scrape_max_torrents,
      seederProbability: requests.peer_seeder_probability,
      offersPerRequest: requests.offers_per_request,
      sdp: dummySdp(requests.offer_sdp_size, requests.offer_sdp),
      timeoutMs: config.request_timeout_ms,
      connectionCount: config.workers * perWorker,
      startGate: network.start_after_all_open ? new StartGate(perWorker) : null,
    };
    const connections = Array.from({ length: perWorker }, (_, k) => new WsLoadConnection(plan, stats, workerIndex, k, workerIndex * perWorker + k));
    return new WsLoadWorker(connections, network.connection_creation_interval_ms, sweepIntervalMs(config.request_timeout_ms), plan.startGate, config.request_timeout_ms);
  }

  start(): void {
    let opened = 0;
    const openNext = (): void => {
      this.connections[opened++]!.start();
      if (opened < this.connections.length) return;
      if (this.openTimer !== null) clearInterval(this.openTimer);
      const gate = this.startGate;
      if (gate !== null) this.gateTimer = setTimeout(() => gate.release(), this.startDeadlineMs);
    };
    if (this.creationIntervalMs === 0) {
      while (opened < this.connections.length) openNext();
    } else {
      openNext();
      if (opened < this.connections.length) this.openTimer = setInterval(openNext, this.creationIntervalMs);
    }
    this.sweepTimer = setInterval(this.sweep, this.sweepIntervalMs);
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    for (const connection of this.connections) connection.sweep(now);
  };

  async stop(): Promise<void> {
    if (this.openTimer !== null) clearInterval(this.openTimer);
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    if (this.gateTimer !== null) clearTimeout(this.gateTimer);
    this.openTimer = this.sweepTimer = this.gateTimer = null;
    for (const connection of this.connections) connection.stop();
  }
}

/**
 * How connections reach the tracker. Loopback only (server_address is checked), so an
 * unverified certificate risks nothing; neither client offers permessage-deflate (CPU), as
 * browsers' trackers and the reference server run without it.
 */
function connector(config: WsLoadTestConfig, random: Random): ClientConnector {
  const { network } = config;
  if (network.client === 'ws') {
    return wsPackageConnector(`${network.use_tls ? 'wss' : 'ws'}://${config.server_address}/`, {
      perMessageDeflate: false,
      ...(network.use_tls ? { rejectUnauthorized: false } : {}),
    });
  }
  const address = parseSocketAddress(config.server_address);
  if (typeof address === 'string') throw new Error(address); // validated with the configuration
  return leanConnector({ host: address.host, port: address.port, tls: network.use_tls }, random);
}

/**
 * The torrents and their popularity, from the population every load tester builds. A
 * WebTorrent peer is a connection, not a member of the population, so it has no peers.
 */
export function buildTorrentSet(config: WsLoadTestConfig): WsTorrentSet {
  const population = buildPopulation({ seed: config.seed, requests: { ...config.requests, number_of_peers: 0 } });
  const quotedInfoHashes = population.infoHashViews.map((view) => quote(Buffer.from(view).toString('latin1')));
  return { population, quotedInfoHashes };
}
