// An HTTP socket worker thread: owns one SO_REUSEPORT listening socket on the tracker's
// address, parses requests and answers everything it can itself (bad queries, access list,
// landing page); announces and scrapes go to the shard workers and are answered when their
// replies come back, in request order per connection.
import { AccessListHolder } from '../../access/access-list.js';
import type { HttpConfig } from '../../config/http.js';
import { HttpServer } from '../../transport/http/server.js';
import { ConnectionIdValidator } from '../udp/connection-id.js';
import { socketWorkerContext, nativeSocketSetup } from '../workers/socket-side.js';
import { HttpRequestHandler, httpServerValues } from './handler.js';
import { MAX_SHARDED_SCRAPE, ShardedHttpSwarms } from './sharded-swarms.js';
import { loadTlsFiles, reloadTlsInto } from '../tls-files.js';
import { httpProtocolOptions, proxyPolicy } from './tracker.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';

/** Requests forwarded per batch. */
const BATCH = 256;
const LISTEN_BACKLOG = 1024;

const { setup, config, log, post, createRouter, onReplies, onReload, serveStatistics, allTorrents } = socketWorkerContext<HttpConfig>('aquatic_http');

start().catch((error: unknown) => post({ type: 'failed', message: (error as Error).message }));

async function start(): Promise<void> {
  const { binding, address } = nativeSocketSetup(config.network.address);
  const flags = binding.FLAG_REUSEPORT | (config.network.only_ipv6 ? binding.FLAG_V6ONLY : 0);
  let fd: number;
  try {
    fd = binding.tcpListen(address.host, setup.port, flags, LISTEN_BACKLOG);
  } catch (error) {
    throw new Error(`cannot listen on TCP ${config.network.address}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const clock = new ConnectionIdValidator(setup.secret, setup.shard.maxConnectionAge);
  const maxScrape = Math.min(config.protocol.max_scrape_torrents, MAX_SHARDED_SCRAPE);
  const router = createRouter(maxScrape, () => clock.now);
  const swarms = new ShardedHttpSwarms(router, clock, BATCH, log, allTorrents);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const handler = new HttpRequestHandler(swarms, { ...httpProtocolOptions(config), maxScrapeTorrents: maxScrape }, proxyPolicy(config), access, peerClients);
  const server = new HttpServer(
    {
      host: address.host,
      port: setup.port,
      fd,
      keepAlive: config.network.keep_alive,
      maxRequestHeadBytes: config.network.max_request_head_bytes,
      idleTimeoutSeconds: config.network.idle_timeout,
      requestTimeoutSeconds: config.network.request_timeout,
      maxConnections: Math.ceil(config.network.max_connections / config.socket_workers),
      forwardedHeader: config.network.runs_behind_reverse_proxy ? config.network.reverse_proxy_ip_header_name.toLowerCase() : '',
      ...(config.tls.use_tls ? { tls: loadTlsFiles(config.tls) } : {}),
    },
    handler.handle,
  );
  const port = await server.listen();
  onReload(() => {
    access.reload();
    reloadTlsInto(config.tls, server, log);
  });
  post({ type: 'ready', port });

  // Shard replies: the HTTP requests they answer get their responses.
  onReplies(
    () => swarms.collect(handler),
    () => server.close(),
  );

  serveStatistics(() => ({ ...handler.counters, ...router.counters, ...httpServerValues(server), ...peerClients?.values() }));
}
