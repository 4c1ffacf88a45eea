// Socket addresses as written in configuration: "0.0.0.0:3000", "127.0.0.1:0", "[::]:3000".
import { isIPv4, isIPv6 } from 'node:net';

export interface SocketAddress {
  /** The IP literal, without brackets. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
}

/** Parses "ip:port" / "[ipv6]:port"; returns a message instead of throwing on bad input. */
export function parseSocketAddress(text: string): SocketAddress | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  if (match === null) {
    return `expected "IP:PORT" such as "0.0.0.0:3000" or "[::]:3000", got ${JSON.stringify(text)}`;
  }
  const bracketed = match[1];
  const host = bracketed ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535) return `port must be from 0 to 65535, got ${port}`;
  if (bracketed !== undefined) {
    return isIPv6(host) ? { host, port, family: 6 } : `${JSON.stringify(host)} in brackets is not an IPv6 address`;
  }
  if (isIPv4(host)) return { host, port, family: 4 };
  return `${JSON.stringify(host)} is not an IPv4 address (write IPv6 as "[::1]:3000"; host names are not resolved)`;
}

export function validateSocketAddress(text: string): string | undefined {
  const parsed = parseSocketAddress(text);
  return typeof parsed === 'string' ? parsed : undefined;
}

export function formatSocketAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
