// A UDP load worker in its own thread (workers > 1).
import type { UdpLoadTestConfig } from '../../config/udp-load-test.js';
import { serveLoadWorkerThread } from '../common/worker-thread.js';
import { LoadWorker, type UdpTransportKind } from './worker.js';

serveLoadWorkerThread<UdpLoadTestConfig, UdpTransportKind>((config, index, stats) => LoadWorker.open(config, index, stats));
