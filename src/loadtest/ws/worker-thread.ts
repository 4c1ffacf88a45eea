// A WebTorrent load worker in its own thread (workers > 1).
import type { WsLoadTestConfig } from '../../config/ws-load-test.js';
import { serveLoadWorkerThread } from '../common/worker-thread.js';
import { WsLoadWorker } from './worker.js';

serveLoadWorkerThread<WsLoadTestConfig, null>((config, index, stats) => WsLoadWorker.open(config, index, stats));
