// aquatic_udp_load_test: a closed-loop BEP 15 load generator for UDP trackers on this machine.
import { udpLoadTestConfigSchema } from '../config/udp-load-test.js';
import { startUdpLoadTest } from '../loadtest/udp/load-test.js';
import { formatTable, resultLine, writeJsonSummary } from '../loadtest/udp/report.js';
import { loadTestService } from './load-test.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticUdpLoadTest: ExecutableSpec<typeof udpLoadTestConfigSchema> = {
  name: 'aquatic_udp_load_test',
  description: 'Load generator for BitTorrent UDP trackers (BEP 15) on this machine: closed loop, every response checked.',
  schema: udpLoadTestConfigSchema,
  envExample: 'SERVER_ADDRESS=127.0.0.1:3000',
  start: (config, log) =>
    loadTestService(config, log, startUdpLoadTest, {
      name: 'aquatic_udp_load_test',
      formatTable,
      resultLine,
      writeJson: writeJsonSummary,
      validResponses: (summary) => summary.valid_responses,
    }),
};

export function run(): void {
  main(aquaticUdpLoadTest);
}
