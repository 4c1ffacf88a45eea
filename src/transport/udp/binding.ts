// Loads the native addon (build/Release or prebuilds/) once, or says why it is not used:
// its batched UDP and TCP stream functions for the transports, and chroot for the privilege drop.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { META_STRIDE, SLOT_SIZE } from './batch.js';
import { STREAM_STRIDE, WRITE_STRIDE } from '../tcp/streams.js';

/** An opaque native socket (a N-API External); only the binding's functions accept it. */
export type NativeUdpHandle = object & { readonly __brand: 'NativeUdpHandle' };

/** An opaque native TCP server (listener + epoll set of its streams). */
export type NativeStreamsHandle = object & { readonly __brand: 'NativeStreamsHandle' };

/** What native/src/addon.cc exports. Arguments are checked in TS before these calls. */
export interface NativeUdpBinding {
  /** Creates, configures and binds a non-blocking socket; throws an Error with an errno `code` and `syscall`. */
  udpOpen(host: string, port: number, flags: number, rcvbuf: number, sndbuf: number, maxBatch: number): NativeUdpHandle;
  udpLocalPort(handle: NativeUdpHandle): number;
  /** SO_RCVBUF and SO_SNDBUF as the kernel reports them (Linux doubles what was asked). */
  udpBufferSizes(handle: NativeUdpHandle): [number, number];
  /** Calls onBatch(count) once per recvmmsg batch written into the arenas; replaces an earlier start. */
  udpRecvStart(handle: NativeUdpHandle, rxData: Uint8Array, rxMeta: Uint8Array, onBatch: (count: number) => void): void;
  udpRecvStop(handle: NativeUdpHandle): void;
  /** sendmmsg of tx slots 0..count-1; returns how many went out (the rest were dropped). */
  udpSend(handle: NativeUdpHandle, txData: Uint8Array, txMeta: Uint8Array, count: number): number;
  /** Receive errors other than EAGAIN so far. */
  udpRecvErrors(handle: NativeUdpHandle): number;
  /** Idempotent. */
  udpClose(handle: NativeUdpHandle): void;
  /** A listening TCP socket's fd (FLAG_REUSEPORT: one per worker thread), for net's listen({ fd }). */
  tcpListen(host: string, port: number, flags: number, backlog: number): number;
  /** The port a listener's fd is bound to. */
  tcpLocalPort(fd: number): number;
  /** Serves a listener's streams (owning the fd): onBatch(count) per batch of stream records in the arenas. */
  tcpServe(listenFd: number, rxData: Uint8Array, records: Uint8Array, onBatch: (count: number) => void): NativeStreamsHandle;
  /** send() for each of `count` requests (fd, offset, length into `data`); results written back into the requests. */
  tcpWrite(handle: NativeStreamsHandle, data: Uint8Array, requests: Uint8Array, count: number): void;
  /** Whether to report when the stream can take more bytes; returns 0 or an errno. */
  tcpWatchWritable(handle: NativeStreamsHandle, fd: number, on: boolean): number;
  /** Re-arms accepting after an accept failure paused it; returns 0 or an errno. */
  tcpResumeAccept(handle: NativeStreamsHandle): number;
  tcpCloseStream(handle: NativeStreamsHandle, fd: number): void;
  /** Idempotent: closes the listener and the epoll set (streams are closed one by one first). */
  tcpServeClose(handle: NativeStreamsHandle): void;
  /**
   * chroot(path) then chdir("/"), for the whole process. Optional: an addon built before it
   * existed still serves UDP; the privilege drop then says to rebuild.
   */
  chroot?(path: string): void;
  readonly SLOT_SIZE: number;
  readonly META_STRIDE: number;
  readonly STREAM_STRIDE: number;
  readonly WRITE_STRIDE: number;
  readonly FLAG_REUSEPORT: number;
  readonly FLAG_V6ONLY: number;
}

export interface NativeBindingResult {
  readonly binding: NativeUdpBinding | null;
  /** Why `binding` is null, or how it was loaded. */
  readonly reason: string;
}

const FUNCTIONS = [
  'udpOpen',
  'udpLocalPort',
  'udpBufferSizes',
  'udpRecvStart',
  'udpRecvStop',
  'udpSend',
  'udpRecvErrors',
  'udpClose',
  'tcpListen',
  'tcpLocalPort',
  'tcpServe',
  'tcpWrite',
  'tcpWatchWritable',
  'tcpResumeAccept',
  'tcpCloseStream',
  'tcpServeClose',
] as const;

/** The addon's exports as loaded (maybe stale), or null and why not. */
export interface NativeAddonResult {
  readonly addon: Partial<NativeUdpBinding> | null;
  readonly reason: string;
}

let loaded: NativeBindingResult | undefined;
let addonModule: NativeAddonResult | undefined;

/** The addon, or null and the reason (not Linux, AQUATIC_NATIVE=0, not built, stale build). */
export function loadNativeBinding(): NativeBindingResult {
  loaded ??= load();
  return loaded;
}

/**
 * The addon's exports as loaded, whatever AQUATIC_NATIVE says (that switch picks the UDP
 * transport; chroot needs the addon either way), or null and the reason.
 */
export function loadNativeAddon(): NativeAddonResult {
  addonModule ??= loadModule();
  return addonModule;
}

function loadModule(): NativeAddonResult {
  if (process.platform !== 'linux') return { addon: null, reason: `the native addon is Linux only (this is ${process.platform})` };
  const root = packageRoot();
  if (root === null) return { addon: null, reason: 'package root not found' };
  try {
    const require = createRequire(import.meta.url);
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return { addon: nodeGypBuild(root) as Partial<NativeUdpBinding>, reason: 'native addon loaded' };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { addon: null, reason: `native addon not loaded: ${message}` };
  }
}

function load(): NativeBindingResult {
  if (process.platform !== 'linux') return { binding: null, reason: `native UDP is Linux only (this is ${process.platform})` };
  if (process.env['AQUATIC_NATIVE'] === '0') return { binding: null, reason: 'disabled by AQUATIC_NATIVE=0' };
  const { addon, reason } = loadNativeAddon();
  if (addon === null) return { binding: null, reason };
  const missing = FUNCTIONS.filter((name) => typeof addon[name] !== 'function');
  if (missing.length > 0) return { binding: null, reason: `native addon is stale (missing ${missing.join(', ')}); rebuild it` };
  if (addon.SLOT_SIZE !== SLOT_SIZE || addon.META_STRIDE !== META_STRIDE) {
    return {
      binding: null,
      reason: `native addon layout (slot ${addon.SLOT_SIZE}, meta ${addon.META_STRIDE}) does not match batch.ts (slot ${SLOT_SIZE}, meta ${META_STRIDE}); rebuild it`,
    };
  }
  if (addon.STREAM_STRIDE !== STREAM_STRIDE || addon.WRITE_STRIDE !== WRITE_STRIDE) {
    return { binding: null, reason: `native addon stream layout (${addon.STREAM_STRIDE}, ${addon.WRITE_STRIDE}) does not match streams.ts; rebuild it` };
  }
  return { binding: addon as NativeUdpBinding, reason: 'native addon loaded' };
}

/**
 * The package directory, where node-gyp-build looks for build/ and prebuilds/: the nearest
 * one up from this file whose package.json has a name (a nameless one, such as a
 * {"type": "module"} marker, is skipped). Works from src/ and from dist/src/ alike.
 */
function packageRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (typeof (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'string') return dir;
      } catch {
        // unreadable: keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}
