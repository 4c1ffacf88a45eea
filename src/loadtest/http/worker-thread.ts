// An HTTP load worker in its own thread (workers > 1).
import type { HttpLoadTestConfig } from '../../config/http-load-test.js';
import { serveLoadWorkerThread } from '../common/worker-thread.js';
import { HttpLoadWorker } from './worker.js';

serveLoadWorkerThread<HttpLoadTestConfig, null>((config, index, stats) => HttpLoadWorker.open(config, index, stats));
