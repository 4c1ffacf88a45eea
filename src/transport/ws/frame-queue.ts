// Text frames collected per link during a turn of the event loop and written once at its
// end, all of a client's frames in one write: relays to one peer often come in bursts.
// A frame is queued as a string, or as UTF-8 bytes copied into the queue's own arena (a
// relay whose SDP arrived as bytes); the arena is reused after every flush. Queueing never
// writes: a handler in the middle of relaying to a swarm is never re-entered by a write
// that finds a connection broken.
import { Opcode, frameHeaderLength, writeFrameHeader } from './frames.js';

/** What a link keeps of its queued frames (undefined when idle: idle links keep no array). */
export interface QueuedLink {
  /** Texts, and byte frames as views of the queue's arena. */
  pending: (string | Uint8Array)[] | undefined;
  /** UTF-16 units and bytes in `pending` (a lower bound of its UTF-8 bytes, good enough for send buffer bounds). */
  pendingLength: number;
}

const ARENA_BYTES = 256 * 1024;

export class FrameQueue<L extends QueuedLink> {
  private readonly links: L[] = [];
  private scheduled = false;
  /** UTF-8 byte lengths of the frames being written, reused. */
  private readonly lengths: number[] = [];
  /** Byte frames of this turn. */
  private arena = Buffer.allocUnsafe(ARENA_BYTES);
  private arenaUsed = 0;

  constructor(
    /** Writes `bytes` frames for `link`: `encode(out, at)` fills them at out[at]. */
    private readonly write: (link: L, bytes: number, encode: (out: Buffer, at: number) => void) => void,
    /** After a flush (the native server sends its whole batch then). */
    private readonly afterFlush: () => void = () => {},
  ) {}

  /** Queues `text`; the caller has checked the link's send buffer bound. */
  push(link: L, text: string): void {
    this.queue(link).push(text);
    link.pendingLength += text.length;
  }

  /** Queues a copy of bytes[start, end), valid UTF-8; the caller has checked the link's send buffer bound. */
  pushUtf8(link: L, bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    if (this.arenaUsed + length > this.arena.length) {
      // Full: a new arena; the frames queued in the old one keep it until they are written.
      this.arena = Buffer.allocUnsafe(Math.max(ARENA_BYTES, length));
      this.arenaUsed = 0;
    }
    const offset = this.arenaUsed;
    this.arena.set(bytes.subarray(start, end), offset);
    this.arenaUsed += length;
    this.queue(link).push(this.arena.subarray(offset, offset + length));
    link.pendingLength += length;
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const links = this.links;
    for (let i = 0; i < links.length; i++) this.flushLink(links[i]!);
    links.length = 0;
    this.arenaUsed = 0;
    this.afterFlush();
  };

  /** Writes this link's frames now (before something that must follow them). */
  flushLink(link: L): void {
    const frames = link.pending;
    link.pending = undefined;
    link.pendingLength = 0;
    if (frames === undefined || frames.length === 0) return;
    const lengths = this.lengths;
    let total = 0;
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i]!;
      const length = typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.length;
      lengths[i] = length;
      total += frameHeaderLength(length) + length;
    }
    this.write(link, total, (out, at) => {
      for (let i = 0; i < frames.length; i++) {
        const frame = frames[i]!;
        at += writeFrameHeader(out, at, Opcode.TEXT, lengths[i]!);
        if (typeof frame === 'string') {
          at += out.write(frame, at, lengths[i]!, 'utf8');
        } else {
          out.set(frame, at);
          at += frame.length;
        }
      }
    });
  }

  /** Forgets a closed link's frames. */
  drop(link: L): void {
    link.pending = undefined;
    link.pendingLength = 0;
  }

  /** Makes sure a flush comes at the end of this turn, queued frames or not. */
  schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  private queue(link: L): (string | Uint8Array)[] {
    if (link.pending === undefined || link.pending.length === 0) {
      link.pending ??= [];
      this.links.push(link);
      this.schedule();
    }
    return link.pending;
  }
}
