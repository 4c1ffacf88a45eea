// The one way into cluster sync. With [cluster] enabled = false (the default) it returns
// null and neither the sync nor the Redis client is ever loaded.
import type { ClusterConfig } from '../config/common.js';
import type { TorrentStore } from '../swarm/torrents.js';
import type { Logger } from '../util/log.js';
import type { ClusterSync, SwarmClock } from './sync.js';

export type { ClusterSync, SwarmClock };

/**
 * Starts sharing `store` through Redis when the configuration asks for it. `clock` is the
 * swarm clock the store's validUntil values are on; `worker` names the store
 * ("main", or a shard) in Redis and logs. Returns at once: Redis is connected in the
 * background and may be down.
 */
export async function startClusterSync(
  config: ClusterConfig,
  store: TorrentStore,
  clock: SwarmClock,
  maxPeerAge: number,
  log: Logger,
  worker: string,
): Promise<ClusterSync | null> {
  if (!config.enabled) return null;
  const { ClusterSync } = await import('./sync.js');
  return new ClusterSync({ config, store, clock, maxPeerAge, log, worker }).start();
}
