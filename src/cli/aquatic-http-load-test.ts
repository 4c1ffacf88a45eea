// aquatic_http_load_test: a closed-loop HTTP tracker load generator (BEP 3 / 48) on this machine.
import { type HttpLoadTestConfig, httpLoadTestConfigSchema } from '../config/http-load-test.js';
import { writeJsonFile } from '../loadtest/common/format.js';
import { startHttpLoadTest } from '../loadtest/http/load-test.js';
import { type HttpLoadTestSummary, formatTable, resultLine } from '../loadtest/http/report.js';
import type { Logger } from '../util/log.js';
import { type ExecutableSpec, type Service, main } from './program.js';

/** Exit code when the run completed but the tracker never answered validly. */
const EXIT_NO_RESPONSES = 1;

function report(config: HttpLoadTestConfig, log: Logger, summary: HttpLoadTestSummary): void {
  process.stdout.write(`aquatic_http_load_test: ${config.server_address}\n${formatTable(summary)}${resultLine(summary)}`);
  if (config.output.json !== '') {
    try {
      writeJsonFile(config.output.json, summary);
    } catch (error) {
      log.error(`cannot write ${config.output.json}: ${(error as Error).message}`);
    }
  }
}

async function start(config: HttpLoadTestConfig, log: Logger): Promise<Service> {
  const test = await startHttpLoadTest(config, log);
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

export const aquaticHttpLoadTest: ExecutableSpec<typeof httpLoadTestConfigSchema> = {
  name: 'aquatic_http_load_test',
  description: 'Load generator for BitTorrent HTTP trackers (BEP 3, 48) on this machine: closed loop per connection, every response checked.',
  schema: httpLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start,
};

export function run(): void {
  main(aquaticHttpLoadTest);
}
