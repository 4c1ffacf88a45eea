// What every shard worker thread (BEP 15 or WebTorrent) does the same way: read its setup,
// log under its name, sleep on its doorbell, serve each socket worker's ring in turn, clean
// every cleaning interval, report its counters (every statistics interval when wanted, and
// whenever the main thread asks), send a snapshot of its store when asked (and a last one as
// it stops, for the completed counts file), and leave once the stop flag is set.
// A shard with work in its event loop (cluster sync) waits asynchronously instead, and under
// load gives the event loop a turn every few milliseconds.
import { parentPort, workerData } from 'node:worker_threads';
import { type StoreSnapshot, snapshotBuffers } from '../../swarm/snapshot.js';
import { Logger } from '../../util/log.js';
import { RingReader, RingWriter } from '../../util/spsc-ring.js';
import type { UdpProtocolOptions } from '../udp/local-swarms.js';
import { FINAL_SNAPSHOT, REPORT, SNAPSHOT, STOP, type ShardSettings, type WorkerMessage, type WorkerSetup, answerBell, ring, shardBell, socketBell } from './shared.js';

/** How long a shard waits for a socket worker to make room in a full reply ring before it drops the reply. */
const ROOM_TIMEOUT_MS = 2000;
/** With work in the event loop: the longest the loop keeps it waiting under load. */
const TURN_EVERY_MS = 5;

/** What a shard does; the loop around it is the same for every kind. */
export interface ShardWork {
  /** Serves pending requests from socket worker k (publishing and waking it); returns how many it took. */
  serve(k: number): number;
  /** The cleaning sweep, once every cleaning interval. */
  clean(): void;
  /** This shard's counters and gauges, for statistics and metrics. */
  values(): Readonly<Record<string, number>>;
  /** Every torrent's counts and the retained completed counts (files, full scrapes). */
  snapshot(): StoreSnapshot;
  /** The shard also has work in its event loop (timers, sockets), so the loop must let it turn. */
  readonly eventLoop?: boolean;
}

export interface ShardWorkerContext<P, X> {
  readonly setup: WorkerSetup<unknown, P, X>;
  readonly settings: ShardSettings<P>;
  readonly log: Logger;
  /** readers[k]: requests from socket worker k; writers[k]: replies to it. */
  readonly readers: readonly RingReader[];
  readonly writers: readonly RingWriter[];
  /** Rings socket worker k's doorbell (after publishing replies to it). */
  wake(k: number): void;
  /**
   * A record of `length` bytes in the reply ring to socket worker k, waiting (bounded) for
   * room when it is full; -1 if none came. Socket workers drain their rings from their event
   * loop and never wait on a shard, so the wait cannot deadlock.
   */
  allocWaiting(k: number, length: number): number;
  /** Posts 'ready', then serves until the stop flag is set; resolves when the thread may exit. */
  run(work: ShardWork): Promise<void>;
}

export function shardWorkerContext<P = UdpProtocolOptions, X = undefined>(): ShardWorkerContext<P, X> {
  const setup = workerData as WorkerSetup<unknown, P, X>;
  const settings = setup.shard;
  const bells = new Int32Array(setup.doorbells);
  const me = shardBell(setup.index);
  const readers = setup.requests.map((perShard) => new RingReader(perShard[setup.index]!));
  const writers = setup.replies[setup.index]!.map((buffer) => new RingWriter(buffer));
  const wake = (k: number) => ring(bells, socketBell(setup, k));
  /** Never rung: waiting on it is a plain sleep (the doorbell may stay set while replies wait for room). */
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

  return {
    setup,
    settings,
    log: new Logger(settings.logLevel, `${settings.name} swarm-${String(setup.index + 1).padStart(2, '0')}`),
    readers,
    writers,
    wake,
    allocWaiting(k, length) {
      const writer = writers[k]!;
      let at = writer.alloc(length);
      if (at >= 0 || length > writer.data.length) return at;
      writer.publish();
      wake(k);
      const deadline = Date.now() + ROOM_TIMEOUT_MS;
      while ((at = writer.alloc(length)) < 0 && Atomics.load(bells, STOP) === 0 && Date.now() < deadline) {
        Atomics.wait(nap, 0, 0, 1);
      }
      return at;
    },
    async run(work) {
      const postSnapshot = (generation: number) => {
        const snapshot = work.snapshot();
        post({ type: 'snapshot', shard: setup.index, generation, snapshot }, snapshotBuffers(snapshot));
      };
      post({ type: 'ready', port: 0 });
      const cleanEvery = settings.cleaningInterval * 1000;
      const statsEvery = settings.statisticsInterval * 1000;
      let nextClean = Date.now() + cleanEvery;
      let nextStats = Date.now() + statsEvery;
      let reported = 0;
      let snapshotted = Atomics.load(bells, SNAPSHOT);
      let nextTurn = Date.now() + TURN_EVERY_MS;
      for (;;) {
        // Clear the bell before serving: a ring after this point makes the wait return at once.
        answerBell(bells, me);
        let taken = 0;
        for (let k = 0; k < readers.length; k++) taken += work.serve(k);
        if (Atomics.load(bells, STOP) !== 0) {
          // The loop ends only after a last drain of the rings: this snapshot holds every request served.
          if (settings.finalSnapshot) postSnapshot(FINAL_SNAPSHOT);
          return;
        }
        const now = Date.now();
        if (now >= nextClean) {
          work.clean();
          nextClean = now + cleanEvery;
        }
        const generation = Atomics.load(bells, REPORT);
        if (generation !== reported || (settings.reportStatistics && now >= nextStats)) {
          post({ type: 'stats', worker: `swarm-${setup.index + 1}`, generation, values: work.values() });
          reported = generation;
          nextStats = now + statsEvery;
        }
        const wanted = Atomics.load(bells, SNAPSHOT);
        if (wanted !== snapshotted) {
          postSnapshot(wanted);
          snapshotted = wanted;
        }
        if (taken === 0) {
          const idle = Math.max(1, Math.min(nextClean, settings.reportStatistics ? nextStats : Infinity) - now);
          if (work.eventLoop !== true) {
            Atomics.wait(bells, me, 0, idle);
          } else {
            const waiting = Atomics.waitAsync(bells, me, 0, idle);
            if (waiting.async) await waiting.value;
            nextTurn = Date.now() + TURN_EVERY_MS;
          }
        } else if (work.eventLoop === true && now >= nextTurn) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          nextTurn = Date.now() + TURN_EVERY_MS;
        }
      }
    },
  };
}
