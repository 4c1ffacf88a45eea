// The embedding API: start a tracker from a (partial) configuration object, as the
// executables do from TOML. Every key is optional and validated exactly as in a file;
// an invalid one throws an AquaticError with code AQUATIC_ERR_CONFIG_INVALID naming it.
import { httpConfigSchema, type HttpConfig } from './config/http.js';
import { validateConfig } from './config/load.js';
import { type Fields, type Section, defaultsOf } from './config/schema.js';
import { udpConfigSchema, type UdpConfig } from './config/udp.js';
import { wsConfigSchema, type WsConfig } from './config/ws.js';
import { type HttpTracker, startHttpTracker } from './server/http/tracker.js';
import { type UdpTracker, startUdpTracker } from './server/udp/tracker.js';
import { type WsTracker, startWsTracker } from './server/ws/tracker.js';
import type { TrackerHooks } from './server/hooks.js';
import { Logger, type LogLevel } from './util/log.js';

export { AquaticError, ErrorCode, isAquaticError } from './errors.js';
export type { AnnounceEvent, AnnounceParams, ScrapeParams, TrackerHooks, TrackerProtocol } from './server/hooks.js';
export { MAX_REFUSAL_REASON_LENGTH } from './server/hooks.js';
export type { HttpConfig, HttpTracker, UdpConfig, UdpTracker, WsConfig, WsTracker, LogLevel };

/** Every key optional, at any depth. */
export type PartialConfig<T> = { readonly [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? PartialConfig<T[K]> : T[K] };

function configFrom<S extends Section<Fields>>(schema: S, partial: object): ReturnType<typeof validateConfig<S>> {
  const defaults = defaultsOf(schema) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(partial)) {
    const base = defaults[key];
    merged[key] = typeof base === 'object' && base !== null && !Array.isArray(base) && typeof value === 'object' && value !== null ? { ...base, ...value } : value;
  }
  return validateConfig(schema, merged);
}

function loggerFor(config: { log_level: LogLevel }, name: string): Logger {
  return new Logger(config.log_level, name);
}

/**
 * Starts aquatic_udp; resolves once every socket is bound (`tracker.port` is the real port).
 * `hooks` (a filter, announce and scrape observers) need socket_workers = swarm_workers = 1;
 * with more workers they are refused with AQUATIC_ERR_HOOKS_INVALID.
 */
export async function createUdpTracker(config: PartialConfig<UdpConfig> = {}, hooks?: TrackerHooks): Promise<UdpTracker> {
  const full = configFrom(udpConfigSchema, config);
  return startUdpTracker(full, loggerFor(full, 'aquatic_udp'), hooks === undefined ? {} : { hooks });
}

/** Starts aquatic_http (HTTPS with [tls] use_tls). `hooks` as for createUdpTracker. */
export async function createHttpTracker(config: PartialConfig<HttpConfig> = {}, hooks?: TrackerHooks): Promise<HttpTracker> {
  const full = configFrom(httpConfigSchema, config);
  return startHttpTracker(full, loggerFor(full, 'aquatic_http'), hooks);
}

/** Starts aquatic_ws, the WebTorrent tracker (wss:// with [tls] use_tls). `hooks` need socket_workers = 1. */
export async function createWsTracker(config: PartialConfig<WsConfig> = {}, hooks?: TrackerHooks): Promise<WsTracker> {
  const full = configFrom(wsConfigSchema, config);
  return startWsTracker(full, loggerFor(full, 'aquatic_ws'), hooks);
}
