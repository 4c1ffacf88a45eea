// Picks the UDP transport once: the native batched addon where it loads, node:dgram
// otherwise (other platforms, no compiler at install, AQUATIC_NATIVE=0).
import type { Logger } from '../../util/log.js';
import { DgramUdpTransport } from './dgram.js';
import type { UdpTransport, UdpTransportOptions } from './types.js';

export type { UdpTransport, UdpTransportOptions, BatchHandler } from './types.js';

export async function openUdpTransport(options: UdpTransportOptions, log: Logger): Promise<UdpTransport> {
  void log;
  return DgramUdpTransport.open(options);
}
