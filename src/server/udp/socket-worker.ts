// A UDP socket worker thread: owns one SO_REUSEPORT socket on the tracker's address. It
// answers connects and bad requests itself (no thread crossing), forwards announces and
// scrapes to the shard workers, and sends their replies as they come back.
import { AccessListHolder } from '../../access/access-list.js';
import type { UdpConfig } from '../../config/udp.js';
import { createPacketBatch } from '../../transport/udp/batch.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { NativeUdpTransport } from '../../transport/udp/native.js';
import { parseSocketAddress } from '../../util/address.js';
import { socketWorkerContext } from '../workers/socket-side.js';
import { ConnectionIdValidator } from './connection-id.js';
import { UdpRequestHandler } from './handler.js';
import { peerClientCounts } from '../../metrics/peer-clients.js';

const { setup, config, log, post, createRouter, onReplies, onReload, serveStatistics } = socketWorkerContext<UdpConfig>('aquatic_udp');

try {
  start();
} catch (error) {
  post({ type: 'failed', message: (error as Error).message });
}

function start(): void {
  const { binding, reason } = loadNativeBinding();
  if (binding === null) throw new Error(`socket workers need the native addon: ${reason}`);
  const validator = new ConnectionIdValidator(setup.secret, config.cleaning.max_connection_age);
  const router = createRouter(config.protocol.max_scrape_torrents, () => validator.now);
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const peerClients = peerClientCounts(config.metrics);
  const handler = new UdpRequestHandler(validator, router, log, true, access, peerClients);
  onReload(() => access.reload());
  const transport = NativeUdpTransport.open(
    {
      host: (parseSocketAddress(config.network.address) as { host: string }).host,
      port: setup.port,
      onlyIpv6: config.network.only_ipv6,
      reusePort: true,
      recvBufferSize: config.network.socket_recv_buffer_size,
      sendBufferSize: config.network.socket_send_buffer_size,
      batchSize: config.network.batch_size,
    },
    binding,
  );
  transport.start(handler.handleBatch);
  post({ type: 'ready', port: transport.port });

  // Replies from the shards, sent in batches.
  const replies = createPacketBatch(config.network.batch_size);
  onReplies(
    () => {
      validator.tick();
      for (let n = router.collect(replies); n > 0; n = n === replies.slots ? router.collect(replies) : 0) {
        handler.countReplies(replies, n);
        transport.send(replies, n);
      }
    },
    () => transport.close(),
  );

  serveStatistics(() => ({ ...handler.counters, ...transport.counters, ...router.counters, pending: router.pendingCount, ...peerClients?.values() }));
}
