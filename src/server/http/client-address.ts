// Which address an HTTP announce is for: the connection's, or behind a reverse proxy the
// rightmost entry of the proxy's header (the one the proxy itself appended; entries to its
// left come from the client and can be forged). Only trusted proxies may set it.
import { isIP } from 'node:net';
import { unmapIpv4 } from '../../util/ip.js';

export interface ClientAddressPolicy {
  readonly behindProxy: boolean;
  /** Connection addresses allowed to name the client in the header. */
  readonly trustedProxies: ReadonlySet<string>;
}

/** The client's IP text, or an error message (for a failure reason). IPv4-mapped IPv6 is unwrapped. */
export function clientAddress(policy: ClientAddressPolicy, remoteAddress: string, forwarded: string | null): string | { error: string } {
  const remote = unmapIpv4(remoteAddress);
  if (!policy.behindProxy) return remote;
  if (!policy.trustedProxies.has(remote) && !policy.trustedProxies.has(remoteAddress)) {
    return { error: 'request did not come through a trusted reverse proxy' };
  }
  if (forwarded === null) return { error: 'missing reverse proxy client address header' };
  const comma = forwarded.lastIndexOf(',');
  let last = forwarded.slice(comma + 1).trim();
  // Some proxies write "[v6]:port" or "v4:port"; keep only the address.
  const bracket = /^\[([^\]]+)\](?::\d+)?$/.exec(last);
  if (bracket !== null) last = bracket[1]!;
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(last)) last = last.slice(0, last.lastIndexOf(':'));
  if (isIP(last) === 0) return { error: 'invalid client address in the reverse proxy header' };
  return unmapIpv4(last);
}
