// aquatic_ws_load_test: a closed-loop WebTorrent (WebSocket) tracker load generator on this
// machine, with aquatic_ws_load_test's workload: announces with offers, answers to every
// offer received, optional scrapes.
import { type WsLoadTestConfig, wsLoadTestConfigSchema } from '../config/ws-load-test.js';
import { writeJsonFile } from '../loadtest/common/format.js';
import { startWsLoadTest } from '../loadtest/ws/load-test.js';
import { type WsLoadTestSummary, formatTable, resultLine } from '../loadtest/ws/report.js';
import type { Logger } from '../util/log.js';
import { type ExecutableSpec, type Service, main } from './program.js';

/** Exit code when the run completed but the tracker never sent a valid message. */
const EXIT_NO_MESSAGES = 1;

function report(config: WsLoadTestConfig, log: Logger, summary: WsLoadTestSummary): void {
  process.stdout.write(`aquatic_ws_load_test: ${config.server_address}\n${formatTable(summary)}${resultLine(summary)}`);
  if (config.output.json !== '') {
    try {
      writeJsonFile(config.output.json, summary);
    } catch (error) {
      log.error(`cannot write ${config.output.json}: ${(error as Error).message}`);
    }
  }
}

async function start(config: WsLoadTestConfig, log: Logger): Promise<Service> {
  const test = await startWsLoadTest(config, log);
  let closing = false;
  // A run that reaches its duration reports and ends; Ctrl-C goes through close() instead.
  const done = test.finished.then(
    (summary) => {
      if (closing) return new Promise<number>(() => {});
      report(config, log, summary);
      return summary.messages_received > 0 ? 0 : EXIT_NO_MESSAGES;
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

export const aquaticWsLoadTest: ExecutableSpec<typeof wsLoadTestConfigSchema> = {
  name: 'aquatic_ws_load_test',
  description:
    'Load generator for WebTorrent (WebSocket) trackers on this machine: per connection a closed loop of announces with offers (or scrapes), every offer answered, every message checked.',
  schema: wsLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start,
};

export function run(): void {
  main(aquaticWsLoadTest);
}
