// A single-producer, single-consumer ring of variable-length records in a
// SharedArrayBuffer: how batches cross threads without a message per packet. The producer
// writes records in place and publishes them all with one atomic store; the consumer
// reads them in place and releases them with one atomic store.

const HEAD = 0; // total bytes ever written (wrapping u32), published by the producer
const TAIL = 1; // total bytes ever consumed (wrapping u32), published by the consumer
const HEADER_BYTES = 8;
// Lengths are 32-bit: WebSocket records carry whole client messages (64 KiB by default, more if configured).
const LENGTH_BYTES = 4;
/** A length that means "the record continues at the start of the ring". */
const WRAP = 0xffffffff;

export function ringBuffer(capacity: number): SharedArrayBuffer {
  if (capacity & (capacity - 1) || capacity < 1024) throw new RangeError('ring capacity must be a power of two >= 1024');
  return new SharedArrayBuffer(HEADER_BYTES + capacity);
}

class RingView {
  protected readonly header: Int32Array;
  readonly data: Uint8Array;
  protected readonly lengths: DataView;
  protected readonly mask: number;

  constructor(buffer: SharedArrayBuffer) {
    this.header = new Int32Array(buffer, 0, 2);
    this.data = new Uint8Array(buffer, HEADER_BYTES);
    this.lengths = new DataView(buffer, HEADER_BYTES);
    this.mask = this.data.length - 1;
  }
}

export class RingWriter extends RingView {
  private head: number;
  private tail: number;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.head = Atomics.load(this.header, HEAD) >>> 0;
    this.tail = Atomics.load(this.header, TAIL) >>> 0;
  }

  /**
   * Reserves a record of `length` bytes and returns the offset in `data` to write it at,
   * or -1 when the ring is full (the caller drops the record and counts it).
   */
  alloc(length: number): number {
    const capacity = this.data.length;
    let at = this.head & this.mask;
    // A record (with its length) never wraps: skip the end of the ring if it does not fit.
    const skip = capacity - at < LENGTH_BYTES + length ? capacity - at : 0;
    const need = skip + LENGTH_BYTES + length;
    if (((this.head - this.tail) >>> 0) + need > capacity) {
      this.tail = Atomics.load(this.header, TAIL) >>> 0;
      if (((this.head - this.tail) >>> 0) + need > capacity) return -1;
    }
    if (skip > 0) {
      if (skip >= LENGTH_BYTES) this.lengths.setUint32(at, WRAP);
      at = 0;
    }
    this.lengths.setUint32(at, length);
    this.head = (this.head + need) >>> 0;
    return at + LENGTH_BYTES;
  }

  /** Makes every record allocated so far visible to the consumer. */
  publish(): void {
    Atomics.store(this.header, HEAD, this.head | 0);
  }
}

export class RingReader extends RingView {
  private tail: number;
  private head: number;
  /** Length of the record that `next()` returned. */
  length = 0;

  constructor(buffer: SharedArrayBuffer) {
    super(buffer);
    this.tail = Atomics.load(this.header, TAIL) >>> 0;
    this.head = this.tail;
  }

  /** Offset in `data` of the next record (its length in `length`), or -1 if none. */
  next(): number {
    if (this.tail === this.head) {
      this.head = Atomics.load(this.header, HEAD) >>> 0;
      if (this.tail === this.head) return -1;
    }
    const capacity = this.data.length;
    let at = this.tail & this.mask;
    if (capacity - at < LENGTH_BYTES || this.lengths.getUint32(at) === WRAP) {
      this.tail = (this.tail + (capacity - at)) >>> 0;
      at = 0;
    }
    const length = this.lengths.getUint32(at);
    this.length = length;
    this.tail = (this.tail + LENGTH_BYTES + length) >>> 0;
    return at + LENGTH_BYTES;
  }

  /** Hands the space of every record read so far back to the producer. */
  release(): void {
    Atomics.store(this.header, TAIL, this.tail | 0);
  }
}
