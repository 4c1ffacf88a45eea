// A socket worker thread: owns one SO_REUSEPORT socket on the tracker's address. It answers
// connects and bad requests itself (no thread crossing), forwards announces and scrapes to
// the shard workers, and sends their replies as they come back.
import { parentPort, workerData } from 'node:worker_threads';
import type { UdpConfig } from '../../config/udp.js';
import { parseSocketAddress } from '../../util/address.js';
import { createPacketBatch } from '../../transport/udp/batch.js';
import { loadNativeBinding } from '../../transport/udp/binding.js';
import { NativeUdpTransport } from '../../transport/udp/native.js';
import { Logger } from '../../util/log.js';
import { RingReader, RingWriter } from '../../util/spsc-ring.js';
import { ConnectionIdValidator } from './connection-id.js';
import { AccessListHolder } from '../../access/access-list.js';
import { UdpRequestHandler } from './handler.js';
import { ShardRouter } from '../workers/shard-router.js';
import { STOP, type WorkerMessage, type WorkerSetup, ring, shardBell, socketBell } from '../workers/shared.js';

const setup = workerData as WorkerSetup<UdpConfig>;
const { config } = setup;
const log = new Logger(config.log_level, `aquatic_udp socket-${String(setup.index + 1).padStart(2, '0')}`);
const bells = new Int32Array(setup.doorbells);
const me = socketBell(setup, setup.index);

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

const { binding, reason } = loadNativeBinding();
const address = parseSocketAddress(config.network.address);
if (binding === null || typeof address === 'string') {
  post({ type: 'failed', message: `socket workers need the native addon: ${reason}` });
} else {
  start();
}

function start(): void {
  const validator = new ConnectionIdValidator(setup.secret, config.cleaning.max_connection_age);
  const router = new ShardRouter(
    setup.requests[setup.index]!.map((buffer) => new RingWriter(buffer)),
    setup.replies.map((perSocket) => new RingReader(perSocket[setup.index]!)),
    (shard) => ring(bells, shardBell(shard)),
    config.protocol.max_scrape_torrents,
    () => validator.now,
  );
  const access = new AccessListHolder(config.access_list.mode, config.access_list.path, (message) => log.warn(message));
  const handler = new UdpRequestHandler(validator, router, log, true, access);
  parentPort!.on('message', (message: { type: string }) => {
    if (message.type === 'reload-access-list') access.reload();
  });
  const host = (parseSocketAddress(config.network.address) as { host: string }).host;
  let transport: NativeUdpTransport;
  try {
    transport = NativeUdpTransport.open(
      {
        host,
        port: setup.port,
        onlyIpv6: config.network.only_ipv6,
        reusePort: true,
        recvBufferSize: config.network.socket_recv_buffer_size,
        sendBufferSize: config.network.socket_send_buffer_size,
        batchSize: config.network.batch_size,
      },
      binding!,
    );
  } catch (error) {
    post({ type: 'failed', message: (error as Error).message });
    return;
  }
  transport.start(handler.handleBatch);
  post({ type: 'ready', port: transport.port });

  // Replies from the shards: drained whenever our doorbell rings, sent in batches.
  const replies = createPacketBatch(config.network.batch_size);
  const pump = (): void => {
    if (Atomics.load(bells, STOP) !== 0) {
      void transport.close().then(() => process.exit(0));
      return;
    }
    const seen = Atomics.load(bells, me);
    validator.tick();
    for (let n = router.collect(replies); n > 0; n = n === replies.slots ? router.collect(replies) : 0) {
      transport.send(replies, n);
    }
    const wait = Atomics.waitAsync(bells, me, seen);
    if (wait.async) void wait.value.then(pump);
    else setImmediate(pump);
  };
  pump();

  if (config.statistics.print_to_stdout) {
    setInterval(() => {
      const values: Record<string, number> = { ...handler.counters, ...router.counters, pending: router.pendingCount };
      post({ type: 'stats', worker: `socket-${setup.index}`, values });
    }, config.statistics.interval * 1000).unref();
  }
}
