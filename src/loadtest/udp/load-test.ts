// The coordinator of a UDP load test: checks the configuration, starts the workers and turns
// the measured window into a summary (the run itself is the shared measureRun).
import { AquaticError, ErrorCode } from '../../errors.js';
import { type UdpLoadTestConfig, loadTestConfigProblems } from '../../config/udp-load-test.js';
import type { Logger } from '../../util/log.js';
import { type LoadWorkerHandle, measureRun, startWorkerThreads } from '../common/coordinator.js';
import { type LoadTestSummary, type RunFacts, progressLine, summarize } from './report.js';
import { createStats, validResponses } from './stats.js';
import { LoadWorker, type UdpTransportKind } from './worker.js';

export interface UdpLoadTest {
  readonly transport: UdpTransportKind;
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<LoadTestSummary>;
  /** Ends the run now; resolves with the summary (idempotent). */
  close(): Promise<LoadTestSummary>;
}

export interface UdpLoadTestOptions {
  /** Where progress lines go; by default stderr when the log level shows info. */
  readonly progress?: ((line: string) => void) | null;
}

export async function startUdpLoadTest(config: UdpLoadTestConfig, log: Logger, options: UdpLoadTestOptions = {}): Promise<UdpLoadTest> {
  const problems = loadTestConfigProblems(config);
  if (problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  const progress = options.progress !== undefined ? options.progress : log.infoEnabled ? (line: string) => process.stderr.write(line) : null;

  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const handles =
    config.workers === 1
      ? [await startInThread(config)]
      : await startWorkerThreads<UdpLoadTestConfig, UdpTransportKind>(new URL('./worker-thread.js', import.meta.url), config, config.workers, reportFailure);
  const facts: RunFacts = {
    server_address: config.server_address,
    transport: handles[0]!.info,
    workers: config.workers,
    sockets: config.workers * config.network.sockets_per_worker,
    in_flight_per_socket: config.network.in_flight_per_socket,
  };
  log.info(
    `loading udp ${config.server_address}: ${facts.workers} worker(s) x ${config.network.sockets_per_worker} sockets x ` +
      `${facts.in_flight_per_socket} in flight, ${facts.transport} transport, warm-up ${config.warmup} s, ` +
      (config.duration > 0 ? `then ${config.duration} s measured` : 'measuring until Ctrl-C'),
  );
  const run = measureRun(handles, {
    warmup: config.warmup,
    duration: config.duration,
    validResponses,
    progress: progress === null ? null : (label, window, seconds) => progress(progressLine(label, window, seconds)),
    failure,
  });
  return {
    transport: facts.transport,
    finished: run.finished.then((measured) => summarize(facts, measured)),
    close: () => run.close().then((measured) => summarize(facts, measured)),
  };
}

async function startInThread(config: UdpLoadTestConfig): Promise<LoadWorkerHandle<UdpTransportKind>> {
  const stats = createStats(false);
  const worker = await LoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: worker.info, stop: () => worker.stop() };
}
