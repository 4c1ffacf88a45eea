// aquatic_ws_load_test: a closed-loop WebTorrent (WebSocket) tracker load generator on this
// machine, with aquatic_ws_load_test's workload: announces with offers, answers to every
// offer received, optional scrapes.
import { wsLoadTestConfigSchema } from '../config/ws-load-test.js';
import { writeJsonFile } from '../loadtest/common/format.js';
import { startWsLoadTest } from '../loadtest/ws/load-test.js';
import { formatTable, resultLine } from '../loadtest/ws/report.js';
import { loadTestService } from './load-test.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticWsLoadTest: ExecutableSpec<typeof wsLoadTestConfigSchema> = {
  name: 'aquatic_ws_load_test',
  description:
    'Load generator for WebTorrent (WebSocket) trackers on this machine: per connection a closed loop of announces with offers (or scrapes), every offer answered, every message checked.',
  schema: wsLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start: (config, log) =>
    loadTestService(config, log, startWsLoadTest, {
      name: 'aquatic_ws_load_test',
      formatTable,
      resultLine,
      writeJson: writeJsonFile,
      validResponses: (summary) => summary.messages_received,
    }),
};

export function run(): void {
  main(aquaticWsLoadTest);
}
