// How aquatic_ws's threads name connections and share their limits. A connection is
// (socket worker, id): the id is a slot in that worker's table plus a generation, so that a
// record still in flight for a closed connection never reaches the next one in its slot.
// max_connections and max_swarms_per_connection hold across threads through counters in
// shared memory (one atomic add per accepted connection or joined swarm).
import type { ConnectionBudget } from '../../transport/ws/native-server.js';
import type { WsLink } from '../../transport/ws/transport.js';
import type { WsConnection } from './connection.js';
import type { SwarmQuota } from './handler.js';

/** Slots per socket worker: 2^20 > the largest max_connections (1 000 000). */
const SLOT_BITS = 20;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** Generations wrap at 4096: a stale record would have to outlive 4095 reuses of its slot. */
const GENERATION_MASK = 0xfff;

export interface WsSharedMemory {
  /** Open TCP connections of all socket workers together (one Int32). */
  readonly connections: SharedArrayBuffer;
  /** Per socket worker, per connection slot: swarms held, over all shards (Int32 each). */
  readonly swarmCounts: readonly SharedArrayBuffer[];
}

export function createWsSharedMemory(socketWorkers: number, maxConnections: number): WsSharedMemory {
  return {
    connections: new SharedArrayBuffer(4),
    // Pages the kernel never hands out until touched: only slots in use cost memory.
    swarmCounts: Array.from({ length: socketWorkers }, () => new SharedArrayBuffer(4 * maxConnections)),
  };
}

/** max_connections over every socket worker: taken on accept, given back on close. */
export function sharedConnectionBudget(memory: WsSharedMemory, maxConnections: number): ConnectionBudget {
  const open = new Int32Array(memory.connections);
  return {
    take() {
      if (Atomics.add(open, 0, 1) < maxConnections) return true;
      Atomics.sub(open, 0, 1);
      return false;
    },
    release() {
      Atomics.sub(open, 0, 1);
    },
  };
}

/** A shard's view of a connection: which socket worker holds it, under which id. */
export interface RemoteLink extends WsLink {
  readonly worker: number;
  readonly id: number;
}

/**
 * max_swarms_per_connection over every shard. A slot's count is never reset: when a slot is
 * reused before the shards have handled the old connection's close, the new connection
 * briefly shares its count (it may be refused early, never let past the limit).
 */
export function sharedSwarmQuota(memory: WsSharedMemory, maxSwarms: number): SwarmQuota<RemoteLink> {
  const counts = memory.swarmCounts.map((buffer) => new Int32Array(buffer));
  return {
    join(connection: WsConnection<RemoteLink>) {
      const slots = counts[connection.link.worker]!;
      const slot = connection.link.id & SLOT_MASK;
      if (Atomics.add(slots, slot, 1) < maxSwarms) return true;
      Atomics.sub(slots, slot, 1);
      return false;
    },
    leave(connection: WsConnection<RemoteLink>, count: number) {
      if (count > 0) Atomics.sub(counts[connection.link.worker]!, connection.link.id & SLOT_MASK, count);
    },
  };
}

/** A socket worker's connections by id: slots reused from a free list, a new generation each time. */
export class ConnectionSlots<T> {
  private readonly entries: (T | undefined)[] = [];
  private readonly ids: number[] = [];
  private readonly free: number[] = [];

  /** Stores `entry`; returns its id. */
  add(entry: T): number {
    const slot = this.free.pop() ?? this.entries.length;
    const id = (slot | ((((this.ids[slot] ?? 0) >>> SLOT_BITS) + 1) & GENERATION_MASK) << SLOT_BITS) >>> 0;
    this.entries[slot] = entry;
    this.ids[slot] = id;
    return id;
  }

  /** The entry with this id, or undefined when it was removed (even if its slot was reused). */
  get(id: number): T | undefined {
    const slot = id & SLOT_MASK;
    return this.ids[slot] === id ? this.entries[slot] : undefined;
  }

  remove(id: number): void {
    const slot = id & SLOT_MASK;
    if (this.ids[slot] !== id || this.entries[slot] === undefined) return;
    this.entries[slot] = undefined;
    this.free.push(slot);
  }
}
