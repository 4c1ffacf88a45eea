// Stateless, unforgeable UDP connection IDs (BEP 15). An ID is
//   4 bytes: seconds since the epoch of this tracker process (when it was issued)
//   4 bytes: SipHash-2-4(key, those 4 bytes ‖ the client's 16-byte address), low half
// with a random key per process. Only a host that receives our connect reply learns a
// valid ID for its address, so spoofed sources cannot make us send announce replies
// (amplification), and nothing is stored per client. The port is left out so that all of
// a client's sockets share one ID. A forgery succeeds with probability 2^-32 per try.
import { randomBytes } from 'node:crypto';
import { SipHash24 } from '../../util/siphash.js';

/** IDs stamped later than now + this are forged (all workers share one clock). */
const FUTURE_TOLERANCE_SECONDS = 5;

export interface ConnectionIdSecret {
  /** 16 random bytes. */
  readonly key: Uint8Array;
  /** Wall-clock milliseconds that timestamp 0 stands for. */
  readonly epochMs: number;
}

export function createConnectionIdSecret(): ConnectionIdSecret {
  return { key: new Uint8Array(randomBytes(16)), epochMs: Date.now() };
}

export class ConnectionIdValidator {
  private readonly mac: SipHash24;
  private readonly input = new Uint8Array(20);
  private readonly inputView = new DataView(this.input.buffer);
  /** Seconds since the epoch; refreshed by `tick()` once per batch, not per packet. */
  now = 0;
  /** The ID made by the last `create()`. */
  high = 0;
  low = 0;

  constructor(
    private readonly secret: ConnectionIdSecret,
    private readonly maxAgeSeconds: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.mac = new SipHash24(secret.key);
    this.tick();
  }

  tick(): void {
    // Never backwards and never below 0, even if the wall clock is stepped back (NTP): a
    // negative time would stamp IDs in the far future and every request would be refused.
    this.now = Math.max(this.now, Math.floor((this.clock() - this.secret.epochMs) / 1000));
  }

  private sign(time: number, address: Uint8Array, at: number): number {
    const input = this.input;
    this.inputView.setUint32(0, time);
    for (let i = 0; i < 16; i++) input[4 + i] = address[at + i]!;
    return this.mac.hash(input, 0, 20);
  }

  /** Makes the ID for the 16-byte address at address[at]; read it from `high`/`low`. */
  create(address: Uint8Array, at: number): void {
    const time = this.now >>> 0;
    this.high = time;
    this.low = this.sign(time, address, at);
  }

  isValid(high: number, low: number, address: Uint8Array, at: number): boolean {
    const now = this.now;
    // Reject stale IDs and, so that a brute-forced far-future stamp is useless, future ones.
    if (high > now + FUTURE_TOLERANCE_SECONDS || now - high > this.maxAgeSeconds) return false;
    return this.sign(high, address, at) === low;
  }
}
