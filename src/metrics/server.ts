// The metrics listener: GET /metrics (Prometheus text, path configurable), GET /stats.json
// and a small HTML page at GET /stats, on their own address so they can stay off the public interface.
import http from 'node:http';
import { once } from 'node:events';
import { AquaticError, ErrorCode } from '../errors.js';
import { formatSocketAddress, parseSocketAddress, type SocketAddress } from '../util/address.js';
import type { Logger } from '../util/log.js';
import { type Sample, renderHtml, renderJson, renderPrometheus } from './prometheus.js';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  address: SocketAddress,
  path: string,
  collect: () => readonly Sample[] | Promise<readonly Sample[]>,
  log: Logger,
): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || (url !== path && url !== '/stats.json' && url !== '/stats')) {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not Found\n');
      return;
    }
    void Promise.resolve(collect()).then(
      (samples) => {
        if (url === path) {
          response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderPrometheus(samples));
        } else if (url === '/stats') {
          response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(renderHtml(`${log.name} statistics`, samples));
        } else {
          response.writeHead(200, { 'Content-Type': 'application/json' }).end(renderJson(samples));
        }
      },
      (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  server.listen({ host: address.host, port: address.port });
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new AquaticError(ErrorCode.BIND, `cannot listen for metrics on ${formatSocketAddress(address.host, address.port)}: ${code}`);
  }
  const port = (server.address() as { port: number }).port;
  log.info(`metrics on http://${formatSocketAddress(address.host, port)}${path}, /stats.json and /stats`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface MetricsConfig {
  readonly enabled: boolean;
  readonly address: string;
  readonly path: string;
}

/** Starts the listener when [metrics] enabled is true. */
async function startConfiguredMetrics(
  config: MetricsConfig,
  collect: () => readonly Sample[] | Promise<readonly Sample[]>,
  log: Logger,
): Promise<MetricsServer | null> {
  if (!config.enabled) return null;
  const address = parseSocketAddress(config.address);
  if (typeof address === 'string') throw new Error(`unvalidated metrics address: ${address}`);
  return startMetricsServer(address, config.path, collect, log);
}

/**
 * Starts the metrics listener for a running tracker when [metrics] is enabled: the tracker
 * then also closes it, and says where it is. If the listener cannot start, the tracker is
 * closed and the error thrown.
 */
export async function attachMetrics<T extends { close(): Promise<void> }>(
  tracker: T,
  config: MetricsConfig,
  collect: () => readonly Sample[] | Promise<readonly Sample[]>,
  log: Logger,
): Promise<T & { readonly metricsPort: number | null }> {
  let metrics: MetricsServer | null;
  try {
    metrics = await startConfiguredMetrics(config, collect, log);
  } catch (error) {
    await tracker.close();
    throw error;
  }
  const close = tracker.close.bind(tracker);
  return Object.assign(tracker, {
    metricsPort: metrics?.port ?? null,
    async close() {
      await metrics?.close();
      await close();
    },
  });
}
