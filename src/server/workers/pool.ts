// A multi-threaded tracker: socket_workers socket threads (one SO_REUSEPORT socket each,
// UDP or TCP) in front of swarm_workers shard threads (torrents split by info_hash[0]),
// joined by SPSC rings in shared memory. The main thread only starts, watches and stops them.
import { Worker } from 'node:worker_threads';
import { AquaticError, ErrorCode } from '../../errors.js';
import type { SocketAddress } from '../../util/address.js';
import type { Logger } from '../../util/log.js';
import { ringBuffer } from '../../util/spsc-ring.js';
import type { ConnectionIdSecret } from '../udp/connection-id.js';
import { type ShardSettings, STOP, type WorkerMessage, type WorkerSetup, ring } from './shared.js';

/** Bytes per ring: room for several full batches of requests or replies. */
const RING_BYTES = 1 << 20;
/** How long workers get to finish on close before they are terminated. */
const STOP_TIMEOUT_MS = 5000;

export interface WorkerPool {
  readonly port: number;
  /** Resolves with the error if a worker thread dies on its own. */
  readonly failure: Promise<Error>;
  reload(): void;
  close(): Promise<void>;
}

export interface WorkerPoolOptions<C> {
  /** The socket worker script (UDP or HTTP); shards are always ./swarm-worker.js. */
  readonly socketWorker: URL;
  readonly config: C;
  readonly shard: ShardSettings;
  readonly address: SocketAddress;
  readonly socketWorkers: number;
  readonly swarmWorkers: number;
  readonly secret: ConnectionIdSecret;
  /** What the listening log line says, e.g. "udp 0.0.0.0:3000". */
  readonly describe: (port: number) => string;
}

export async function startWorkerPool<C>(options: WorkerPoolOptions<C>, log: Logger): Promise<WorkerPool> {
  const { config, shard, secret, address } = options;
  const sockets = options.socketWorkers;
  const shards = options.swarmWorkers;
  const doorbells = new SharedArrayBuffer(4 * (1 + shards + sockets));
  const bells = new Int32Array(doorbells);
  const requests = Array.from({ length: sockets }, () => Array.from({ length: shards }, () => ringBuffer(RING_BYTES)));
  const replies = Array.from({ length: shards }, () => Array.from({ length: sockets }, () => ringBuffer(RING_BYTES)));
  const workers: Worker[] = [];
  let stopping = false;
  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));

  const spawn = (file: URL, name: string, index: number, port: number): Promise<number> => {
    const setup: WorkerSetup<C> = { config, shard, secret, index, socketWorkers: sockets, swarmWorkers: shards, doorbells, requests, replies, port };
    const worker = new Worker(file, { workerData: setup, name });
    workers.push(worker);
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(message.port);
        else if (message.type === 'failed') reject(new AquaticError(ErrorCode.BIND, message.message));
        else if (message.type === 'stats') statistics.set(message.worker, message.values);
      });
      worker.on('error', (error) => {
        reject(error);
        if (!stopping) {
          log.error(`${name} failed: ${error.stack ?? error.message}`);
          reportFailure(error);
        }
      });
      worker.on('exit', (code) => {
        reject(new Error(`${name} exited with code ${code} while starting`));
        if (!stopping) reportFailure(new Error(`${name} exited with code ${code}`));
      });
    });
  };

  const statistics = new Map<string, Readonly<Record<string, number>>>();
  const swarmWorker = new URL('./swarm-worker.js', import.meta.url);
  let port = address.port;
  try {
    await Promise.all(Array.from({ length: shards }, (_, s) => spawn(swarmWorker, `swarm-${s + 1}`, s, 0)));
    // The first socket worker binds (maybe port 0); the others join the port it got.
    port = await spawn(options.socketWorker, 'socket-1', 0, port);
    await Promise.all(Array.from({ length: sockets - 1 }, (_, k) => spawn(options.socketWorker, `socket-${k + 2}`, k + 1, port)));
  } catch (error) {
    stopping = true;
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  log.info(`listening on ${options.describe(port)} (${sockets} socket workers, ${shards} swarm workers)`);

  let printer: NodeJS.Timeout | undefined;
  if (shard.printStatistics) {
    printer = setInterval(() => {
      const sum = (key: string) => [...statistics.values()].reduce((n, values) => n + (values[key] ?? 0), 0);
      process.stdout.write(
        `requests: connect ${sum('connect')}, announce ${sum('announce')}, scrape ${sum('scrape')}, errors ${sum('errors') + sum('failures')}, ` +
          `dropped ${sum('invalid') + sum('badConnectionId') + sum('dropped')}; torrents ${sum('torrents')}, ` +
          `peers ${sum('peersIpv4')} IPv4 + ${sum('peersIpv6')} IPv6 (${sum('seeders')} seeders)\n`,
      );
    }, shard.statisticsInterval * 1000);
    printer.unref();
  }

  // Socket workers check the access list; each re-reads the file on this signal.
  const reloadAccessList = () => {
    for (const worker of workers) worker.postMessage({ type: 'reload-access-list' });
  };
  process.on('SIGUSR1', reloadAccessList);

  return {
    port,
    failure,
    reload: reloadAccessList,
    async close() {
      if (stopping) return;
      stopping = true;
      process.off('SIGUSR1', reloadAccessList);
      if (printer !== undefined) clearInterval(printer);
      Atomics.store(bells, STOP, 1);
      for (let b = 1; b < bells.length; b++) ring(bells, b);
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => void worker.terminate().then(() => resolve()), STOP_TIMEOUT_MS);
              worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
    },
  };
}
