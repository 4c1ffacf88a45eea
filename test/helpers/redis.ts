// Cluster tests against a real redis-server (./redis-server.ts), stopped when the test ends.
// Where redis-server is not installed the tests that need it are declared as skipped, with
// the reason in their title.
import test, { type ExecutionContext } from 'ava';
import { RedisServer, redisServerPath } from './redis-server.js';

export { RedisServer, redisServerPath };

const SKIP_REASON = 'skipped: redis-server is not installed (apt-get install redis-server; .ci/run installs it)';

/** A serial test where redis-server exists; elsewhere the test is declared skipped, saying why. */
export function redisTest(title: string, body: (t: ExecutionContext) => Promise<void>): void {
  if (redisServerPath === null) test.skip(`${title} (${SKIP_REASON})`, () => {});
  else test.serial(title, body);
}

export async function startRedis(t: ExecutionContext): Promise<RedisServer> {
  const server = await RedisServer.start();
  t.teardown(() => server.stop());
  return server;
}
