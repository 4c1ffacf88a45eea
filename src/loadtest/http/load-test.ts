// The coordinator of an HTTP load test: checks the configuration, starts the workers and
// turns the measured window into a summary (the run itself is the shared measureRun).
import { AquaticError, ErrorCode } from '../../errors.js';
import { type HttpLoadTestConfig, httpLoadTestConfigProblems } from '../../config/http-load-test.js';
import type { Logger } from '../../util/log.js';
import { type LoadWorkerHandle, measureRun, startWorkerThreads } from '../common/coordinator.js';
import { createStats } from '../udp/stats.js';
import { type HttpLoadTestSummary, type RunFacts, progressLine, summarize } from './report.js';
import { validResponses } from './stats.js';
import { HttpLoadWorker } from './worker.js';

export interface HttpLoadTest {
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<HttpLoadTestSummary>;
  /** Ends the run now; resolves with the summary (idempotent). */
  close(): Promise<HttpLoadTestSummary>;
}

export interface HttpLoadTestOptions {
  /** Where progress lines go; by default stderr when the log level shows info. */
  readonly progress?: ((line: string) => void) | null;
}

export async function startHttpLoadTest(config: HttpLoadTestConfig, log: Logger, options: HttpLoadTestOptions = {}): Promise<HttpLoadTest> {
  const problems = httpLoadTestConfigProblems(config);
  if (problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  const progress = options.progress !== undefined ? options.progress : log.infoEnabled ? (line: string) => process.stderr.write(line) : null;

  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const handles =
    config.workers === 1
      ? [await startInThread(config)]
      : await startWorkerThreads<HttpLoadTestConfig, null>(new URL('./worker-thread.js', import.meta.url), config, config.workers, reportFailure);
  const { network } = config;
  const facts: RunFacts = {
    server_address: config.server_address,
    workers: config.workers,
    connections: config.workers * network.connections,
    keep_alive: network.keep_alive,
    tls: network.use_tls,
  };
  log.info(
    `loading http${network.use_tls ? 's' : ''} ${config.server_address}: ${facts.workers} worker(s) x ${network.connections} connections, ` +
      `${network.keep_alive ? 'keep-alive' : 'a new connection per request'}, warm-up ${config.warmup} s, ` +
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
    finished: run.finished.then((measured) => summarize(facts, measured)),
    close: () => run.close().then((measured) => summarize(facts, measured)),
  };
}

async function startInThread(config: HttpLoadTestConfig): Promise<LoadWorkerHandle<null>> {
  const stats = createStats(false);
  const worker = await HttpLoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: null, stop: () => worker.stop() };
}
