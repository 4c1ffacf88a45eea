// Types for the parts of webtorrent and bittorrent-tracker the tests use (neither ships any).
declare module 'webtorrent' {
  import type { EventEmitter } from 'node:events';

  interface Wire {
    /** How the peer was reached: 'webrtc', 'tcpIncoming', 'tcpOutgoing', 'utpIncoming', 'utpOutgoing' or 'webSeed'. */
    readonly type: string;
  }
  interface TorrentFile {
    readonly name: string;
    readonly length: number;
    arrayBuffer(): Promise<ArrayBuffer>;
  }
  interface TorrentOptions {
    readonly announce?: readonly string[];
    readonly name?: string;
    /** Folder of the torrent's chunk store. */
    readonly path?: string;
  }
  export interface Torrent extends EventEmitter {
    readonly infoHash: string;
    readonly files: readonly TorrentFile[];
    readonly wires: readonly Wire[];
    readonly downloaded: number;
    readonly uploaded: number;
  }
  interface ClientOptions {
    readonly dht?: boolean;
    readonly lsd?: boolean;
    readonly utPex?: boolean;
    readonly utp?: boolean;
    readonly natUpnp?: boolean;
    readonly natPmp?: boolean;
    readonly webSeeds?: boolean;
    readonly tracker?: { readonly rtcConfig?: { readonly iceServers?: readonly unknown[] } };
  }
  export default class WebTorrent extends EventEmitter {
    constructor(options?: ClientOptions);
    seed(input: Buffer, options: TorrentOptions, onSeed: (torrent: Torrent) => void): Torrent;
    add(torrentId: string, options: TorrentOptions): Torrent;
    destroy(callback?: (error?: Error) => void): void;
  }
}

declare module 'bittorrent-tracker' {
  interface ScrapeResult {
    readonly announce: string;
    readonly infoHash: string;
    readonly complete: number;
    readonly incomplete: number;
    readonly downloaded: number;
  }
  export class Client {
    static scrape(options: { announce: string; infoHash: string }, callback: (error: Error | null, result: ScrapeResult) => void): Client;
  }
  interface ServerOptions {
    readonly udp?: boolean;
    readonly http?: boolean;
    readonly ws?: boolean;
    readonly stats?: boolean;
  }
  export class Server {
    constructor(options?: ServerOptions);
    readonly ws: { address(): import('node:net').AddressInfo };
    listen(port: number, hostname: string, onListening: () => void): void;
    close(callback?: () => void): void;
    on(event: 'error' | 'warning', listener: (error: Error) => void): this;
  }
}
