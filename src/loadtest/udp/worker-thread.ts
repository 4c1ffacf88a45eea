// A load worker in its own thread (workers > 1). It counts into a shared Float64Array the
// coordinator reads; messages only say ready/failed/stopped.
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCode, isAquaticError } from '../../errors.js';
import { type LoadWorkerMessage, type LoadWorkerSetup, STOP } from './messages.js';
import { LoadWorker } from './worker.js';

const setup = workerData as LoadWorkerSetup;
const port = parentPort!;
const post = (message: LoadWorkerMessage): void => port.postMessage(message);

LoadWorker.open(setup.config, setup.index, setup.stats).then(
  (worker) => {
    port.on('message', (message: unknown) => {
      if (message !== STOP) return;
      void worker.stop().then(() => {
        post({ type: 'stopped' });
        port.close();
      });
    });
    worker.start();
    post({ type: 'ready', transport: worker.transportKind });
  },
  (error: unknown) =>
    post({
      type: 'failed',
      code: isAquaticError(error) ? error.code : ErrorCode.BIND,
      message: error instanceof Error ? error.message : String(error),
    }),
);
