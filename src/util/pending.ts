// Requests waiting for replies from other threads, kept in a Map whose insertion order is
// their age order: expiring the old ones stops at the first young one.

/** Deletes the entries of `pending` older than `timeout` (seconds on `now`'s clock); returns how many. */
export function expireOlderThan<K, V extends { readonly since: number }>(pending: Map<K, V>, now: number, timeout: number): number {
  let expired = 0;
  for (const [key, entry] of pending) {
    if (now - entry.since <= timeout) break;
    pending.delete(key);
    expired++;
  }
  return expired;
}
