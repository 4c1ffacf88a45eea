// The coordinator of a WebTorrent load test: checks the configuration, starts the workers and
// turns the measured window into a summary (the run itself is the shared measureRun).
import { type WsLoadTestConfig, wsLoadTestConfigProblems } from '../../config/ws-load-test.js';
import { AquaticError, ErrorCode } from '../../errors.js';
import type { Logger } from '../../util/log.js';
import { type LoadWorkerHandle, measureRun, startWorkerThreads } from '../common/coordinator.js';
import { createStats } from '../udp/stats.js';
import { type RunFacts, type WsLoadTestSummary, progressLine, summarize } from './report.js';
import { receivedMessages } from './stats.js';
import { WsLoadWorker } from './worker.js';

export interface WsLoadTest {
  /** Resolves when the run has ended (duration reached or close()), rejects if a worker failed. */
  readonly finished: Promise<WsLoadTestSummary>;
  /** Ends the run now; resolves with the summary (idempotent). */
  close(): Promise<WsLoadTestSummary>;
}

export interface WsLoadTestOptions {
  /** Where progress lines go; by default stderr when the log level shows info. */
  readonly progress?: ((line: string) => void) | null;
}

export async function startWsLoadTest(config: WsLoadTestConfig, log: Logger, options: WsLoadTestOptions = {}): Promise<WsLoadTest> {
  const problems = wsLoadTestConfigProblems(config);
  if (problems.length > 0) {
    throw new AquaticError(ErrorCode.CONFIG_INVALID, `invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  }
  const progress = options.progress !== undefined ? options.progress : log.infoEnabled ? (line: string) => process.stderr.write(line) : null;

  let reportFailure: (error: Error) => void = () => {};
  const failure = new Promise<Error>((resolve) => (reportFailure = resolve));
  const handles =
    config.workers === 1
      ? [await startInThread(config)]
      : await startWorkerThreads<WsLoadTestConfig, null>(new URL('./worker-thread.js', import.meta.url), config, config.workers, reportFailure);
  const { network, requests } = config;
  const facts: RunFacts = {
    server_address: config.server_address,
    workers: config.workers,
    connections: config.workers * network.connections_per_worker,
    tls: network.use_tls,
    offers_per_request: requests.offers_per_request,
  };
  log.info(
    `loading ${network.use_tls ? 'wss' : 'ws'}://${config.server_address}: ${facts.workers} worker(s) x ${network.connections_per_worker} connections ` +
      `(opened ${network.connection_creation_interval_ms} ms apart), ${requests.offers_per_request} offers per announce, warm-up ${config.warmup} s, ` +
      (config.duration > 0 ? `then ${config.duration} s measured` : 'measuring until Ctrl-C'),
  );
  const run = measureRun(handles, {
    warmup: config.warmup,
    duration: config.duration,
    validResponses: receivedMessages,
    progress: progress === null ? null : (label, window, seconds) => progress(progressLine(label, window, seconds)),
    failure,
  });
  return {
    finished: run.finished.then((measured) => summarize(facts, measured)),
    close: () => run.close().then((measured) => summarize(facts, measured)),
  };
}

async function startInThread(config: WsLoadTestConfig): Promise<LoadWorkerHandle<null>> {
  const stats = createStats(false);
  const worker = await WsLoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: null, stop: () => worker.stop() };
}
