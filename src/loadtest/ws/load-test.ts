// The WebTorrent load test: what startLoadTest needs to know about WebSocket workers, facts
// and reports.
import { type WsLoadTestConfig, wsLoadTestConfigProblems } from '../../config/ws-load-test.js';
import type { Logger } from '../../util/log.js';
import { type LoadTestOptions, type LoadWorkerHandle, type RunningLoadTest, startLoadTest } from '../common/coordinator.js';
import { createStats } from '../udp/stats.js';
import { type RunFacts, type WsLoadTestSummary, progressLine, summarize } from './report.js';
import { receivedMessages } from './stats.js';
import { WsLoadWorker } from './worker.js';

export type WsLoadTest = RunningLoadTest<null, WsLoadTestSummary>;

export function startWsLoadTest(config: WsLoadTestConfig, log: Logger, options: LoadTestOptions = {}): Promise<WsLoadTest> {
  const { network, requests } = config;
  return startLoadTest(config, log, options, {
    problems: wsLoadTestConfigProblems(config),
    workerThread: new URL('./worker-thread.js', import.meta.url),
    startInThread,
    facts: (): RunFacts => ({
      server_address: config.server_address,
      workers: config.workers,
      connections: config.workers * network.connections_per_worker,
      tls: network.use_tls,
      offers_per_request: requests.offers_per_request,
    }),
    describe: (facts) =>
      `loading ${network.use_tls ? 'wss' : 'ws'}://${config.server_address}: ${facts.workers} worker(s) x ${network.connections_per_worker} connections ` +
      `(opened ${network.connection_creation_interval_ms} ms apart), ${requests.offers_per_request} offers per announce`,
    validResponses: receivedMessages,
    progressLine,
    summarize,
  });
}

async function startInThread(config: WsLoadTestConfig): Promise<LoadWorkerHandle<null>> {
  const stats = createStats(false);
  const worker = await WsLoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: null, stop: () => worker.stop() };
}
