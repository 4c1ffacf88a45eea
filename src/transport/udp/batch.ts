// The packet batch layout shared by the native and the node:dgram transports, and by the
// request handler that reads one and writes the other. JS owns these arenas; the native
// addon only reads and writes them in place (no copies, no per-packet objects).

/** Bytes per datagram slot. A longer datagram is truncated by the kernel and dropped. */
export const SLOT_SIZE = 2048;
/** Bytes of metadata per slot: see the META_* offsets. */
export const META_STRIDE = 32;

// Offsets inside one slot's metadata, in bytes. Integers are little-endian (host order on
// every platform Node runs on), written through Int32Array/Uint16Array views.
/** int32: datagram length in bytes; -1 when the datagram did not fit in its slot. */
export const META_LENGTH = 0;
/** int32: remote UDP port. */
export const META_PORT = 4;
/** int32: 4 for an IPv4 peer (including IPv4-mapped IPv6 sources), 6 for IPv6. */
export const META_FAMILY = 8;
/** int32, reply slots only: the received slot this reply answers (transports may use it). */
export const META_REPLY_TO = 12;
/** 16 bytes: the remote address in IPv6 form; IPv4 is stored IPv4-mapped (::ffff:a.b.c.d). */
export const META_ADDRESS = 16;

/** One direction of a batch: `slots` datagrams and their metadata. */
export interface PacketBatch {
  readonly slots: number;
  /** slots * SLOT_SIZE bytes of datagram payloads. */
  readonly data: Uint8Array;
  /** slots * META_STRIDE bytes of metadata (same buffer viewed three ways). */
  readonly meta: Uint8Array;
  readonly meta32: Int32Array;
  /** Views over the same memory, made once: big-endian field access and latin1 slices. */
  readonly dataView: DataView;
  readonly dataBuffer: Buffer;
  readonly metaView: DataView;
}

export function createPacketBatch(slots: number, shared = false): PacketBatch {
  const dataBuffer = shared ? new SharedArrayBuffer(slots * SLOT_SIZE) : new ArrayBuffer(slots * SLOT_SIZE);
  const metaBuffer = shared ? new SharedArrayBuffer(slots * META_STRIDE) : new ArrayBuffer(slots * META_STRIDE);
  return {
    slots,
    data: new Uint8Array(dataBuffer),
    meta: new Uint8Array(metaBuffer),
    meta32: new Int32Array(metaBuffer),
    dataView: new DataView(dataBuffer),
    dataBuffer: Buffer.from(dataBuffer),
    metaView: new DataView(metaBuffer),
  };
}
