// aquatic_http_load_test: a closed-loop HTTP tracker load generator (BEP 3 / 48) on this machine.
import { httpLoadTestConfigSchema } from '../config/http-load-test.js';
import { writeJsonFile } from '../loadtest/common/format.js';
import { startHttpLoadTest } from '../loadtest/http/load-test.js';
import { formatTable, resultLine } from '../loadtest/http/report.js';
import { loadTestService } from './load-test.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticHttpLoadTest: ExecutableSpec<typeof httpLoadTestConfigSchema> = {
  name: 'aquatic_http_load_test',
  description: 'Load generator for BitTorrent HTTP trackers (BEP 3, 48) on this machine: closed loop per connection, every response checked.',
  schema: httpLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start: (config, log) =>
    loadTestService(config, log, startHttpLoadTest, {
      name: 'aquatic_http_load_test',
      formatTable,
      resultLine,
      writeJson: writeJsonFile,
      validResponses: (summary) => summary.valid_responses,
    }),
};

export function run(): void {
  main(aquaticHttpLoadTest);
}
