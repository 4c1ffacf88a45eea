// aquatic_udp_load_test: a closed-loop BEP 15 load generator for UDP trackers on this machine.
import { udpLoadTestConfigSchema } from '../config/udp-load-test.js';
import { startUdpLoadTest } from '../loadtest/udp/load-test.js';
import { type LoadTestSummary, formatTable, resultLine, writeJsonSummary } from '../loadtest/udp/report.js';
import type { UdpLoadTestConfig } from '../config/udp-load-test.js';
import type { Logger } from '../util/log.js';
import { type ExecutableSpec, type Service, main } from './program.js';

/** Exit code when the run completed but the tracker never answered validly. */
const EXIT_NO_RESPONSES = 1;

function report(config: UdpLoadTestConfig, log: Logger, summary: LoadTestSummary): void {
  process.stdout.write(`aquatic_udp_load_test: ${config.server_address}\n${formatTable(summary)}${resultLine(summary)}`);
  if (config.output.json !== '') {
    try {
      writeJsonSummary(config.output.json, summary);
    } catch (error) {
      log.error(`cannot write ${config.output.json}: ${(error as Error).message}`);
    }
  }
}

async function start(config: UdpLoadTestConfig, log: Logger): Promise<Service> {
  const test = await startUdpLoadTest(config, log);
  let closing = false;
  // A run that reaches its duration reports and ends; Ctrl-C goes through close() instead.
  const done = test.finished.then(
    (summary) => {
      if (closing) return new Promise<number>(() => {});
      report(config, log, summary);
      return summary.valid_responses > 0 ? 0 : EXIT_NO_RESPONSES;
    },
    (error: unknown) => {
      log.error(`load test failed: ${(error as Error).message}`);
      return 1;
    },
  );
  return {
    done,
    async close() {
      closing = true;
      report(config, log, await test.close());
    },
  };
}

export const aquaticUdpLoadTest: ExecutableSpec<typeof udpLoadTestConfigSchema> = {
  name: 'aquatic_udp_load_test',
  description: 'Load generator for BitTorrent UDP trackers (BEP 15) on this machine: closed loop, every response checked.',
  schema: udpLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start,
};

export function run(): void {
  main(aquaticUdpLoadTest);
}
