// The HTTP load test: what startLoadTest needs to know about HTTP workers, facts and reports.
import { type HttpLoadTestConfig, httpLoadTestConfigProblems } from '../../config/http-load-test.js';
import type { Logger } from '../../util/log.js';
import { type LoadTestOptions, type LoadWorkerHandle, type RunningLoadTest, startLoadTest } from '../common/coordinator.js';
import { createStats } from '../udp/stats.js';
import { type HttpLoadTestSummary, type RunFacts, progressLine, summarize } from './report.js';
import { validResponses } from './stats.js';
import { HttpLoadWorker } from './worker.js';

export type HttpLoadTest = RunningLoadTest<null, HttpLoadTestSummary>;

export function startHttpLoadTest(config: HttpLoadTestConfig, log: Logger, options: LoadTestOptions = {}): Promise<HttpLoadTest> {
  const { network } = config;
  return startLoadTest(config, log, options, {
    problems: httpLoadTestConfigProblems(config),
    workerThread: new URL('./worker-thread.js', import.meta.url),
    startInThread,
    facts: (): RunFacts => ({
      server_address: config.server_address,
      workers: config.workers,
      connections: config.workers * network.connections,
      keep_alive: network.keep_alive,
      tls: network.use_tls,
    }),
    describe: (facts) =>
      `loading http${network.use_tls ? 's' : ''} ${config.server_address}: ${facts.workers} worker(s) x ${network.connections} connections, ` +
      `${network.keep_alive ? 'keep-alive' : 'a new connection per request'}`,
    validResponses,
    progressLine,
    summarize,
  });
}

async function startInThread(config: HttpLoadTestConfig): Promise<LoadWorkerHandle<null>> {
  const stats = createStats(false);
  const worker = await HttpLoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: null, stop: () => worker.stop() };
}
