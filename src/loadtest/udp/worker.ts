// One load worker: its sockets, the world they share and the timer that expires requests.
// Runs in the main thread (workers = 1) or in a worker thread; counts into `stats`.
import type { UdpLoadTestConfig } from '../../config/udp-load-test.js';
import { PEER_SIZE_V4, PEER_SIZE_V6 } from '../../protocol/udp/constants.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { DgramUdpTransport } from '../../transport/udp/dgram.js';
import { NativeUdpTransport } from '../../transport/udp/native.js';
import type { UdpTransport, UdpTransportOptions } from '../../transport/udp/types.js';
import { parseSocketAddress } from '../../util/address.js';
import { writeIpAs16 } from '../../util/ip.js';
import { type Population, buildPopulation } from '../common/population.js';
import { clientAddress, sweepIntervalMs, workerRandom } from '../common/worker-setup.js';
import type { RunnableLoadWorker } from '../common/worker-thread.js';
import { type Destination, LoadSocket, type RequestPlan } from './load-socket.js';
import { Cell } from './stats.js';

/** Which UDP transport the sockets use: batched native I/O or node:dgram. */
export type UdpTransportKind = UdpTransport['kind'];

export class LoadWorker implements RunnableLoadWorker<UdpTransportKind> {
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly sockets: readonly LoadSocket[],
    private readonly stats: Float64Array,
    private readonly sweepIntervalMs: number,
  ) {}

  /**
   * Builds the world (or takes a prebuilt one) and opens this worker's sockets: native
   * batched I/O where the addon loads, node:dgram otherwise.
   */
  static async open(config: UdpLoadTestConfig, workerIndex: number, stats: Float64Array, population?: Population): Promise<LoadWorker> {
    const target = parseSocketAddress(config.server_address);
    if (typeof target === 'string') throw new Error(`unvalidated server_address: ${target}`);
    const address16 = new Uint8Array(16);
    writeIpAs16(target.host, address16, 0);
    const destination: Destination = { port: target.port, family: target.family, address16 };

    const { requests, network } = config;
    const world = population ?? buildPopulation(config);
    const plan: RequestPlan = {
      population: world,
      peerStarted: new Uint8Array(world.peerCount),
      random: workerRandom(config.seed, workerIndex),
      connectBelow: requests.weight_connect,
      announceBelow: requests.weight_connect + requests.weight_announce,
      totalWeight: requests.weight_connect + requests.weight_announce + requests.weight_scrape,
      scrapeMaxTorrents: requests.scrape_max_torrents,
      numWant: requests.announce_peers_wanted,
      timeoutMs: config.request_timeout_ms,
      peerSize: target.family === 4 ? PEER_SIZE_V4 : PEER_SIZE_V6,
    };

    const window = network.in_flight_per_socket;
    const options: UdpTransportOptions = {
      host: clientAddress(target.family, network.multiple_client_ipv4s, workerIndex),
      port: 0,
      onlyIpv6: true,
      reusePort: false,
      recvBufferSize: network.recv_buffer,
      sendBufferSize: network.send_buffer,
      // One batch holds a whole window, so a receive callback can refill everything it freed.
      batchSize: window,
    };
    const { binding } = loadNativeBinding();
    const perWorker = network.sockets_per_worker;
    const socketCount = config.workers * perWorker;
    const sockets: LoadSocket[] = [];
    try {
      for (let k = 0; k < perWorker; k++) {
        const transport: UdpTransport = binding !== null ? NativeUdpTransport.open(options, binding) : await DgramUdpTransport.open(options);
        sockets.push(new LoadSocket(transport, plan, stats, destination, window, workerIndex * perWorker + k, socketCount));
      }
    } catch (error) {
      await Promise.all(sockets.map((socket) => socket.close()));
      throw error;
    }
    return new LoadWorker(sockets, stats, sweepIntervalMs(config.request_timeout_ms));
  }

  /** What the coordinator learns once the worker is ready: the transport in use. */
  get info(): UdpTransportKind {
    return this.sockets[0]!.kind;
  }

  start(): void {
    for (const socket of this.sockets) socket.start();
    this.timer = setInterval(this.sweep, this.sweepIntervalMs);
  }

  private readonly sweep = (): void => {
    const now = performance.now();
    let sendFailures = 0;
    for (const socket of this.sockets) {
      socket.sweep(now);
      sendFailures += socket.sendFailures;
    }
    this.stats[Cell.SEND_FAILURES] = sendFailures;
  };

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.sockets.map((socket) => socket.close()));
  }
}
