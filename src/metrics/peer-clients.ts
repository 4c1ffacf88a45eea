// [metrics] peer_clients: announces counted by client (from the peer_id prefix). Handlers hold
// a PeerClientCounts only when it is on; off, an announce pays one null check and nothing else.
import { PEER_CLIENTS, classifyPeerId } from '../protocol/peer-client.js';

/** Counter-record keys of the breakdown: this prefix, then the client's name. */
export const PEER_CLIENT_KEY = 'peerClient:';

export class PeerClientCounts {
  private readonly counts = new Float64Array(PEER_CLIENTS.length);

  /** Counts an announce whose 20-byte peer_id starts at bytes[at]. */
  count(bytes: Uint8Array, at: number): void {
    this.counts[classifyPeerId(bytes, at)]++;
  }

  /** The clients seen so far as counter-record entries (zeros left out). */
  values(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let i = 0; i < PEER_CLIENTS.length; i++) if (this.counts[i]! > 0) out[`${PEER_CLIENT_KEY}${PEER_CLIENTS[i]}`] = this.counts[i]!;
    return out;
  }
}

/** A counter when [metrics] peer_clients (and metrics) are on, else null. */
export function peerClientCounts(metrics: { readonly enabled: boolean; readonly peer_clients: boolean }): PeerClientCounts | null {
  return metrics.enabled && metrics.peer_clients ? new PeerClientCounts() : null;
}
