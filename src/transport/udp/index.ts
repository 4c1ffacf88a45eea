// Picks the UDP transport once: the native batched addon where it loads, node:dgram
// otherwise (other platforms, no compiler at install, AQUATIC_NATIVE=0).
import type { Logger } from '../../util/log.js';
import { loadNativeBinding } from './binding.js';
import { DgramUdpTransport } from './dgram.js';
import { NativeUdpTransport } from './native.js';
import type { UdpTransport, UdpTransportOptions } from './types.js';

export type { UdpTransport, UdpTransportOptions, BatchHandler } from './types.js';

let reported = false;

export async function openUdpTransport(options: UdpTransportOptions, log: Logger): Promise<UdpTransport> {
  const { binding, reason } = loadNativeBinding();
  if (binding !== null) return NativeUdpTransport.open(options, binding);
  if (!reported) {
    reported = true;
    log.info(`using the node:dgram UDP transport: ${reason}`);
  }
  return DgramUdpTransport.open(options);
}
