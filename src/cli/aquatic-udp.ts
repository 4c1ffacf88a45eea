// aquatic_udp: the UDP tracker executable (BEP 15).
import { udpConfigSchema } from '../config/udp.js';
import { startUdpTracker } from '../server/udp/tracker.js';
import { type ExecutableSpec, main } from './program.js';

export const aquaticUdp: ExecutableSpec<typeof udpConfigSchema> = {
  name: 'aquatic_udp',
  description: 'BitTorrent UDP tracker (BEP 15), IPv4 and IPv6.',
  schema: udpConfigSchema,
  start: startUdpTracker,
};

export function run(): void {
  main(aquaticUdp);
}
