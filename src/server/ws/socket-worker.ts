// An aquatic_ws socket worker thread: owns one SO_REUSEPORT listener on the tracker's
// address, served by its own NativeWsServer (handshakes, frames, pings, limits). Client
// messages are decoded here and go to the shards that own their info hashes; what the shards
// send back is written to this worker's connections.
import { AccessListHolder } from '../../access/access-list.js';
import type { WsConfig } from '../../config/ws.js';
import { NativeWsServer } from '../../transport/ws/native-server.js';
import { RingReader, RingWriter } from '../../util/spsc-ring.js';
import { ConnectionIdValidator } from '../udp/connection-id.js';
import { socketWorkerContext, nativeSocketSetup } from '../workers/socket-side.js';
import { ring, shardBell } from '../workers/shared.js';
import { type WsSharedMemory, sharedConnectionBudget } from './connection-slots.js';
import { ShardedWsHandler } from './sharded-handler.js';
import { wsServerOptions } from './options.js';

const { setup, config, log, post, onReplies, onReload, serveStatistics } = socketWorkerContext<WsConfig, WsSharedMemory>('aquatic_ws');

start().catch((error: unknown) => post({ type: 'failed', message: (error as Error).message }));

async function start(): Promise<void> {
  const { binding, address } = nativeSocketSetup(config.network.address);
  const bells = new Int32Array(setup.doorbells);
  const clock = new ConnectionIdValidator(setup.secret, 0);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const handler = new ShardedWsHandler(
    setup.requests[setup.index]!.map((buffer) => new RingWriter(buffer)),
    setup.replies.map((perSocket) => new RingReader(perSocket[setup.index]!)),
    (shard) => ring(bells, shardBell(shard)),
    { maxOffers: config.protocol.max_offers, maxScrapeTorrents: config.protocol.max_scrape_torrents, allowFullScrape: config.protocol.allow_full_scrape },
    () => clock.now,
    access,
  );
  const server = new NativeWsServer(
    binding,
    { ...wsServerOptions(config, { ...address, port: setup.port }), reusePort: true, budget: sharedConnectionBudget(setup.extra, config.network.max_connections) },
    handler,
    log,
  );
  let port: number;
  try {
    port = await server.listen();
  } catch (error) {
    throw new Error(`cannot listen on TCP ${config.network.address}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  onReload(() => access.reload());
  post({ type: 'ready', port });

  onReplies(
    () => {
      clock.tick();
      handler.collect();
    },
    () => server.close(),
  );

  serveStatistics(() => ({
    // Announces and relays are counted by the shards.
    scrapes: handler.counters.scrapes,
    failures: handler.counters.failures,
    ...handler.routing,
    ...server.counters,
    connections: server.connectionCount,
    pendingScrapes: handler.pendingScrapes,
    spilledRecords: handler.spilledRecords,
  }));
}
