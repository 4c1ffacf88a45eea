// The UDP load test: what startLoadTest needs to know about UDP workers, facts and reports.
import { type UdpLoadTestConfig, loadTestConfigProblems } from '../../config/udp-load-test.js';
import type { Logger } from '../../util/log.js';
import { type LoadTestOptions, type LoadWorkerHandle, type RunningLoadTest, startLoadTest } from '../common/coordinator.js';
import { type LoadTestSummary, type RunFacts, progressLine, summarize } from './report.js';
import { createStats, validResponses } from './stats.js';
import { LoadWorker, type UdpTransportKind } from './worker.js';

export type UdpLoadTest = RunningLoadTest<UdpTransportKind, LoadTestSummary>;

export function startUdpLoadTest(config: UdpLoadTestConfig, log: Logger, options: LoadTestOptions = {}): Promise<UdpLoadTest> {
  return startLoadTest(config, log, options, {
    problems: loadTestConfigProblems(config),
    workerThread: new URL('./worker-thread.js', import.meta.url),
    startInThread,
    facts: (transport): RunFacts => ({
      server_address: config.server_address,
      transport,
      workers: config.workers,
      sockets: config.workers * config.network.sockets_per_worker,
      in_flight_per_socket: config.network.in_flight_per_socket,
    }),
    describe: (facts) =>
      `loading udp ${config.server_address}: ${facts.workers} worker(s) x ${config.network.sockets_per_worker} sockets x ` +
      `${facts.in_flight_per_socket} in flight, ${facts.transport} transport`,
    validResponses,
    progressLine,
    summarize,
  });
}

async function startInThread(config: UdpLoadTestConfig): Promise<LoadWorkerHandle<UdpTransportKind>> {
  const stats = createStats(false);
  const worker = await LoadWorker.open(config, 0, stats);
  worker.start();
  return { stats, info: worker.info, stop: () => worker.stop() };
}
