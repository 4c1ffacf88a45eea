// The protocol-free half of a load tester's coordinator: start the workers (in this thread
// when there is one, worker threads otherwise), tick once a second for progress, skip the
// warm-up, and at the end (duration reached, close(), or a worker failing) hand over the
// counts of the measured window. Workers count into stats arrays shaped as in
// ../udp/stats.ts (counters, then the latency histogram at Cell.LATENCY).
import { Worker } from 'node:worker_threads';
import { AquaticError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../util/log.js';
import { addStats, createStats, statsBetween } from '../udp/stats.js';
import { type LoadWorkerMessage, type LoadWorkerSetup, STOP } from './messages.js';

export interface LoadWorkerHandle<Info> {
  readonly stats: Float64Array;
  readonly info: Info;
  stop(): Promise<void>;
}

/** The counts of the measured window and what it cost. */
export interface MeasuredWindow {
  readonly stats: Float64Array;
  readonly seconds: number;
  /** Process CPU (all threads) spent in the window. */
  readonly cpuSeconds: number;
  /** Valid responses per second of each whole measured 1-second window. */
  readonly perSecond: readonly number[];
}

export interface MeasuredRun {
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<MeasuredWindow>;
  /** Ends the run now; resolves with the measured window (idempotent). */
  close(): Promise<MeasuredWindow>;
}

export interface MeasureOptions {
  /** Seconds of load before measuring. */
  readonly warmup: number;
  /** Seconds measured; 0 runs until close(). */
  readonly duration: number;
  /** Valid responses among a window's counts (for the per-second rates). */
  validResponses(window: Float64Array): number;
  /** Called once a second with a label (`t=  3s`, marked during the warm-up) and the last second's counts. */
  readonly progress: ((label: string, window: Float64Array, seconds: number) => void) | null;
  /** Resolves when a worker dies: the run ends and `finished` rejects with it. */
  readonly failure: Promise<Error>;
}

const PROGRESS_INTERVAL_MS = 1000;

export function measureRun(handles: readonly LoadWorkerHandle<unknown>[], options: MeasureOptions): MeasuredRun {
  const total = (): Float64Array => {
    const sum = createStats(false);
    for (const handle of handles) addStats(sum, handle.stats);
    return sum;
  };

  const startedAt = performance.now();
  let measureFrom = { stats: createStats(false), at: startedAt, cpu: process.cpuUsage() };
  let measuring = options.warmup === 0;
  const perSecond: number[] = [];
  let previous = { stats: createStats(false), at: startedAt };
  let seconds = 0;

  const progressTimer = setInterval(() => {
    const now = { stats: total(), at: performance.now() };
    const window = statsBetween(previous.stats, now.stats);
    const elapsed = (now.at - previous.at) / 1000;
    seconds++;
    const label = `  t=${String(seconds).padStart(3)}s`;
    if (!measuring && now.at - startedAt >= options.warmup * 1000 - PROGRESS_INTERVAL_MS / 2) {
      // The warm-up ends on a progress tick, so every measured second is a whole window.
      measuring = true;
      measureFrom = { stats: now.stats, at: now.at, cpu: process.cpuUsage() };
      options.progress?.(`${label} warm-up`, window, elapsed);
    } else {
      if (measuring) perSecond.push(options.validResponses(window) / elapsed);
      options.progress?.(`${label}${measuring ? '        ' : ' warm-up'}`, window, elapsed);
    }
    previous = now;
    // Ending on a tick keeps every measured second a whole window.
    if (options.duration > 0 && seconds >= options.warmup + options.duration) void end();
  }, PROGRESS_INTERVAL_MS);

  let settle!: { resolve: (window: MeasuredWindow) => void; reject: (error: Error) => void };
  const finished = new Promise<MeasuredWindow>((resolve, reject) => (settle = { resolve, reject }));
  let ending: Promise<MeasuredWindow> | null = null;
  const end = (): Promise<MeasuredWindow> => {
    if (ending !== null) return ending;
    clearInterval(progressTimer);
    const last = { stats: total(), at: performance.now(), cpu: process.cpuUsage(measureFrom.cpu) };
    ending = Promise.all(handles.map((handle) => handle.stop())).then(() => ({
      stats: statsBetween(measureFrom.stats, last.stats),
      seconds: (last.at - measureFrom.at) / 1000,
      cpuSeconds: (last.cpu.user + last.cpu.system) / 1e6,
      perSecond,
    }));
    ending.then(settle.resolve, settle.reject);
    return ending;
  };
  void options.failure.then((error) => {
    settle.reject(error);
    void end().catch(() => {});
  });
  return { finished, close: end };
}

/**
 * Starts `count` worker threads running `script` (which calls serveLoadWorkerThread), each
 * with its own shared stats array; resolves when all are ready. `onFailure` hears of a
 * thread that dies afterwards (not of those stopped through their handle).
 */
export async function startWorkerThreads<Config, Info>(
  script: URL,
  config: Config,
  count: number,
  onFailure: (error: Error) => void,
): Promise<LoadWorkerHandle<Info>[]> {
  const threads: Worker[] = [];
  let stopping = false;
  const spawn = (index: number): Promise<LoadWorkerHandle<Info>> => {
    const setup: LoadWorkerSetup<Config> = { config, index, stats: createStats(true) };
    const thread = new Worker(script, { workerData: setup, name: `load-${index + 1}` });
    threads.push(thread);
    let stopped: () => void = () => {};
    const whenStopped = new Promise<void>((resolve) => (stopped = resolve));
    return new Promise<LoadWorkerHandle<Info>>((resolve, reject) => {
      thread.on('message', (message: LoadWorkerMessage<Info>) => {
        if (message.type === 'ready') {
          resolve({
            stats: setup.stats,
            info: message.info,
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
    return await Promise.all(Array.from({ length: count }, (_, index) => spawn(index)));
  } catch (error) {
    stopping = true;
    await Promise.all(threads.map((thread) => thread.terminate()));
    throw error;
  }
}

/** What a protocol's load test supplies; startLoadTest does the rest the same way for all. */
export interface LoadTestPlan<Config, Info, Facts, Summary> {
  /** Problems found in the configuration beyond the schema (e.g. all weights 0). */
  readonly problems: readonly string[];
  /** The protocol's worker-thread script, for workers > 1. */
  readonly workerThread: URL;
  /** Opens and starts one worker in this thread (workers = 1). */
  startInThread(config: Config): Promise<LoadWorkerHandle<Info>>;
  /** The run's fixed facts for the summary, once the workers are up. */
  facts(info: Info): Facts;
  /** The start of the log line that says what is loaded and how. */
  describe(facts: Facts): string;
  validResponses(window: Float64Array): number;
  progressLine(label: string, window: Float64Array, seconds: number): string;
  summarize(facts: Facts, measured: MeasuredWindow): Summary;
}

export interface RunningLoadTest<Info, Summary> {
  /** What the first worker reported about itself (e.g. its transport). */
  readonly info: Info;
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<Summary>;
  /** Ends the run now; resolves with the summary (idempotent). */
  close(): Promise<Summary>;
}

export interface LoadTestOptions {
  /** Where progress lines go; by default stderr when the log level shows info. */
  readonly progress?: ((line: string) => void) | null;
}

/** Checks the plan's problems, starts the workers (in this thread or in threads) and measures. */
export async function startLoadTest<Config extends { readonly workers: number; readonly warmup: number; readonly duration: number }, Info, Facts, Summary>(
  config: Config,
  log: Logger,
  options: LoadTestOptions,
  plan: LoadTestPlan<Config, Info, Facts, Summary>,
): Promise<RunningLoadTest<Info, Summary>> {
  if (plan.problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${plan.problems.map((p) => `  - ${p}`).join('\n')}`, plan.problems);
  }
  const progress = options.progress !== undefined ? options.progress : log.infoEnabled ? (line: string) => process.stderr.write(line) : null;
  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const handles =
    config.workers === 1
      ? [await plan.startInThread(config)]
      : await startWorkerThreads<Config, Info>(plan.workerThread, config, config.workers, reportFailure);
  const info = handles[0]!.info;
  const facts = plan.facts(info);
  log.info(
    `${plan.describe(facts)}, warm-up ${config.warmup} s, ` + (config.duration > 0 ? `then ${config.duration} s measured` : 'measuring until Ctrl-C'),
  );
  const run = measureRun(handles, {
    warmup: config.warmup,
    duration: config.duration,
    validResponses: plan.validResponses,
    progress: progress === null ? null : (label, window, seconds) => progress(plan.progressLine(label, window, seconds)),
    failure,
  });
  return {
    info,
    finished: run.finished.then((measured) => plan.summarize(facts, measured)),
    close: () => run.close().then((measured) => plan.summarize(facts, measured)),
  };
}
