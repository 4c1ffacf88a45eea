// Keys every load tester has, with the same meaning and defaults: the loopback-only target,
// generator threads, the measured duration after a warm-up, the log level and the seed.
import { parseSocketAddress } from '../util/address.js';
import { parseIpv4 } from '../util/ip.js';
import { logLevelField } from './common.js';
import { integer, string } from './schema.js';

/**
 * A load generator aimed at someone else's host is an attack tool, so the target must be
 * this machine: 127.0.0.0/8 or ::1.
 */
export function validateLoopbackTarget(text: string): string | undefined {
  const address = parseSocketAddress(text);
  if (typeof address === 'string') return address;
  if (address.port === 0) return 'the port must not be 0';
  const loopback = address.family === 4 ? parseIpv4(address.host) >>> 24 === 127 : address.host === '::1';
  if (!loopback) return `must be a loopback address (127.0.0.0/8 or [::1]), got ${JSON.stringify(text)}: this tool only targets this machine`;
  return undefined;
}

export function loadTestCommonFields() {
  return {
    log_level: logLevelField,
    server_address: string('127.0.0.1:3000', {
      doc: 'Tracker to load: "IPv4:port" or "[::1]:port". Loopback only (127.0.0.0/8 or ::1).',
      validate: validateLoopbackTarget,
    }),
    workers: integer(1, { min: 1, max: 64, doc: 'Load generator threads; with 1 the load runs in the main thread.' }),
    duration: integer(30, { min: 0, max: 86_400, doc: 'Seconds measured after the warm-up; 0 runs until Ctrl-C.' }),
    warmup: integer(2, {
      min: 0,
      max: 3600,
      doc: 'Seconds of load before measuring starts (swarms fill, connections open); not counted in the summary.',
    }),
    seed: integer(1, {
      min: 0,
      max: 0xffff_ffff,
      doc: 'Seed of the random generator that builds the peers and picks requests (same seed, same load).',
    }),
  };
}
