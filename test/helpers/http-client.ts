// Minimal HTTP(S) GET for tests: raw body bytes, bencode-decoded when asked.
import http from 'node:http';
import https from 'node:https';
import { decodeBencode, type BencodeValue } from '../../src/protocol/http/bencode.js';

export interface Fetched {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export function get(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const options = { headers, agent: false as const, ...(ca === undefined ? {} : { ca }) };
    const request = (url.startsWith('https:') ? https : http).get(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.setTimeout(5000, () => request.destroy(new Error(`no response from ${url}`)));
    request.on('error', reject);
  });
}

/** GET and bencode-decode the body; dict keys stay latin1 strings (raw hash keys survive). */
export async function getBencoded(url: string, headers: Record<string, string> = {}, ca?: Buffer): Promise<Map<string, BencodeValue>> {
  const fetched = await get(url, headers, ca);
  if (fetched.status !== 200) throw new Error(`status ${fetched.status}`);
  return decodeBencode(fetched.body) as Map<string, BencodeValue>;
}

/** %-encodes every byte (what clients do for info_hash / peer_id). */
export function encodeBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
}
