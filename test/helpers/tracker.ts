// Starts a UDP tracker on loopback port 0 for a test and closes it when the test ends.
import type { ExecutionContext } from 'ava';
import { type Fields, type Infer, type Section, defaultsOf } from '../../src/config/schema.js';
import { type HttpConfig, httpConfigSchema } from '../../src/config/http.js';
import { type UdpConfig, udpConfigSchema } from '../../src/config/udp.js';
import { validateConfig } from '../../src/config/load.js';
import { type SingleThreadUdpTracker, startSingleThreadUdpTracker, type UdpTrackerOptions } from '../../src/server/udp/tracker.js';
import { Logger } from '../../src/util/log.js';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A full configuration: the schema's defaults, each section overridden key by key, on `host` port 0. */
function configFor<S extends Section<Fields>>(schema: S, overrides: object, host: string): Infer<S> {
  const defaults = defaultsOf(schema) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(overrides)) {
    merged[key] = typeof value === 'object' && value !== null ? { ...(defaults[key] as object), ...value } : value;
  }
  const network = merged['network'] as Record<string, unknown>;
  if ((overrides as { network?: { address?: string } }).network?.address === undefined) {
    network['address'] = host.includes(':') ? `[${host}]:0` : `${host}:0`;
  }
  return validateConfig(schema, merged);
}

export function udpConfig(overrides: DeepPartial<UdpConfig> = {}, host = '127.0.0.1'): UdpConfig {
  return configFor(udpConfigSchema, overrides, host);
}

export function httpConfig(overrides: DeepPartial<HttpConfig> = {}, host = '127.0.0.1'): HttpConfig {
  return configFor(httpConfigSchema, overrides, host);
}

// Tests start many trackers in one process, and each listens for SIGUSR1.
process.setMaxListeners(64);

export const quietLog = new Logger('off', 'test');

export async function startTestTracker(
  t: ExecutionContext,
  overrides: DeepPartial<UdpConfig> = {},
  host = '127.0.0.1',
  options: UdpTrackerOptions = {},
): Promise<SingleThreadUdpTracker> {
  const tracker = await startSingleThreadUdpTracker(udpConfig(overrides, host), quietLog, options);
  t.teardown(() => tracker.close());
  return tracker;
}
