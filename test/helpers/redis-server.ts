// A real redis-server for cluster tests and benchmarks: on a free 127.0.0.1 port, no
// persistence, ready once it answers PING, stopped by SIGKILL (an outage, as a crash).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { pollUntil } from './poll.js';

/** The redis-server executable on PATH, or null. */
export const redisServerPath: string | null = (() => {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : null;
})();

const START_TIMEOUT_MS = 5000;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends one inline command and resolves with the first reply line, or rejects. */
function ask(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const end = text.indexOf('\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(text.slice(0, end));
      }
    });
    socket.on('error', reject);
  });
}

export class RedisServer {
  private process: ChildProcess | null = null;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** A free port where no Redis runs yet: restart() starts one there. */
  static async unstarted(): Promise<RedisServer> {
    return new RedisServer(await freePort());
  }

  /** Starts redis-server on a free port (a few tries, in case another process takes it first). */
  static async start(): Promise<RedisServer> {
    let failure: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      const server = new RedisServer(await freePort());
      try {
        await server.restart();
        return server;
      } catch (error) {
        failure = error;
        await server.stop();
      }
    }
    throw failure;
  }

  /** Starts (again) on the same port, with no data: as after a crash without persistence. */
  async restart(): Promise<void> {
    if (redisServerPath === null) throw new Error('redis-server is not installed');
    const child = spawn(redisServerPath, ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await pollUntil(`redis-server on port ${this.port} answering PING`, async () => {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${output}`);
      return (await ask(this.port, 'PING').catch(() => '')) === '+PONG' ? true : undefined;
    }, START_TIMEOUT_MS, 20);
  }

  /** Stops the server (SIGKILL: an outage, not a shutdown) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }
}
