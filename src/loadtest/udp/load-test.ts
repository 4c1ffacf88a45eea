// The coordinator of a UDP load test: starts the workers (in this thread when there is one,
// worker threads otherwise), prints a progress line a second, and at the end (duration
// reached, or close()) measures the window after the warm-up into a summary.
import { Worker } from 'node:worker_threads';
import { AquaticError, ErrorCode } from '../../errors.js';
import { type UdpLoadTestConfig, loadTestConfigProblems } from '../../config/udp-load-test.js';
import type { Logger } from '../../util/log.js';
import type { LoadWorkerMessage, LoadWorkerSetup } from './messages.js';
import { STOP } from './messages.js';
import { type LoadTestSummary, type RunFacts, progressLine, summarize } from './report.js';
import { addStats, createStats, statsBetween, validResponses } from './stats.js';
import { LoadWorker } from './worker.js';

export interface UdpLoadTest {
  readonly transport: 'native' | 'dgram';
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<LoadTestSummary>;
  /** Ends the run now; resolves with the summary (idempotent). */
  close(): Promise<LoadTestSummary>;
}

export interface UdpLoadTestOptions {
  /** Where progress lines go; by default stderr when the log level shows info. */
  readonly progress?: ((line: string) => void) | null;
}

interface WorkerHandle {
  readonly stats: Float64Array;
  readonly transport: 'native' | 'dgram';
  stop(): Promise<void>;
}

const PROGRESS_INTERVAL_MS = 1000;

export async function startUdpLoadTest(config: UdpLoadTestConfig, log: Logger, options: UdpLoadTestOptions = {}): Promise<UdpLoadTest> {
  const problems = loadTestConfigProblems(config);
  if (problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  const progress = options.progress !== undefined ? options.progress : log.infoEnabled ? (line: string) => process.stderr.write(line) : null;

  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const handles = config.workers === 1 ? [await startInThread(config)] : await startThreads(config, (error) => reportFailure(error));
  const facts: RunFacts = {
    server_address: config.server_address,
    transport: handles[0]!.transport,
    workers: config.workers,
    sockets: config.workers * config.network.sockets_per_worker,
    in_flight_per_socket: config.network.in_flight_per_socket,
  };
  log.info(
    `loading udp ${config.server_address}: ${facts.workers} worker(s) x ${config.network.sockets_per_worker} sockets x ` +
      `${facts.in_flight_per_socket} in flight, ${facts.transport} transport, warm-up ${config.warmup} s, ` +
      (config.duration > 0 ? `then ${config.duration} s measured` : 'measuring until Ctrl-C'),
  );

  const total = (): Float64Array => {
    const sum = createStats(false);
    for (const handle of handles) addStats(sum, handle.stats);
    return sum;
  };

  const startedAt = performance.now();
  let measureFrom = { stats: createStats(false), at: startedAt, cpu: process.cpuUsage() };
  let measuring = config.warmup === 0;
  const perSecond: number[] = [];
  let previous = { stats: createStats(false), at: startedAt };
  let seconds = 0;

  const progressTimer = setInterval(() => {
    const now = { stats: total(), at: performance.now() };
    const window = statsBetween(previous.stats, now.stats);
    const elapsed = (now.at - previous.at) / 1000;
    seconds++;
    if (!measuring && now.at - startedAt >= config.warmup * 1000 - PROGRESS_INTERVAL_MS / 2) {
      // The warm-up ends on a progress tick, so every measured second is a whole window.
      measuring = true;
      measureFrom = { stats: now.stats, at: now.at, cpu: process.cpuUsage() };
      progress?.(progressLine(`  t=${String(seconds).padStart(3)}s warm-up`, window, elapsed));
    } else {
      if (measuring) perSecond.push(validResponses(window) / elapsed);
      progress?.(progressLine(`  t=${String(seconds).padStart(3)}s${measuring ? '        ' : ' warm-up'}`, window, elapsed));
    }
    previous = now;
    // Ending on a tick keeps every measured second a whole window.
    if (config.duration > 0 && seconds >= config.warmup + config.duration) void end();
  }, PROGRESS_INTERVAL_MS);

  let settle!: { resolve: (summary: LoadTestSummary) => void; reject: (error: Error) => void };
  const finished = new Promise<LoadTestSummary>((resolve, reject) => (settle = { resolve, reject }));
  let ending: Promise<LoadTestSummary> | null = null;
  const end = (): Promise<LoadTestSummary> => {
    if (ending !== null) return ending;
    clearInterval(progressTimer);
    const last = { stats: total(), at: performance.now(), cpu: process.cpuUsage(measureFrom.cpu) };
    ending = Promise.all(handles.map((handle) => handle.stop())).then(() => {
      const seconds = (last.at - measureFrom.at) / 1000;
      const cpuSeconds = (last.cpu.user + last.cpu.system) / 1e6;
      return summarize(facts, statsBetween(measureFrom.stats, last.stats), seconds, cpuSeconds, perSecond);
    });
    ending.then(settle.resolve, settle.reject);
    return ending;
  };
  void failure.then((error) => {
    settle.reject(error);
    void end().catch(() => {});
  });
  return { transport: facts.transport, finished, close: end };
}

async function startInThread(config: UdpLoadTestConfig): Promise<WorkerHandle> {
  const stats = createStats(false);
  const worker = await LoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, transport: worker.transportKind, stop: () => worker.stop() };
}

async function startThreads(config: UdpLoadTestConfig, onFailure: (error: Error) => void): Promise<WorkerHandle[]> {
  const threads: Worker[] = [];
  let stopping = false;
  const spawn = (index: number): Promise<WorkerHandle> => {
    const setup: LoadWorkerSetup = { config, index, stats: createStats(true) };
    const thread = new Worker(new URL('./worker-thread.js', import.meta.url), { workerData: setup, name: `load-${index + 1}` });
    threads.push(thread);
    let stopped: () => void = () => {};
    const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
    return new Promise<WorkerHandle>((resolve, reject) => {
      thread.on('message', (message: LoadWorkerMessage) => {
        if (message.type === 'ready') {
          resolve({
            stats: setup.stats,
            transport: message.transport,
            stop: () => {
              stopping = true;
              thread.postMessage(STOP);
              return whenStopped;
            },
          });
        } else if (message.type === 'failed') {
          reject(new AquaticError(message.code, message.message));
        } else {
          stopped();
        }
      });
      thread.on('error', (error) => {
        reject(error);
        if (!stopping) onFailure(error);
        stopped();
      });
      thread.on('exit', (code) => {
        reject(new Error(`load worker ${index + 1} exited with code ${code} while starting`));
        if (!stopping) onFailure(new Error(`load worker ${index + 1} exited with code ${code}`));
        stopped();
      });
    });
  };
  try {
    return await Promise.all(Array.from({ length: config.workers }, (_, index) => spawn(index)));
  } catch (error) {
    stopping = true;
    await Promise.all(threads.map((thread) => thread.terminate()));
    throw error;
  }
}
