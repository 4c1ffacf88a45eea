// Text frames collected per link during a turn of the event loop and written once at its
// end, all of a client's frames in one write: relays to one peer often come in bursts.
import { Opcode, frameHeaderLength, writeFrameHeader } from './frames.js';

/** What a link keeps of its queued frames (undefined when idle: idle links keep no array). */
export interface QueuedLink {
  pending: string[] | undefined;
  /** UTF-16 units in `pending` (a lower bound of its UTF-8 bytes, good enough for send buffer bounds). */
  pendingLength: number;
}

export class FrameQueue<L extends QueuedLink> {
  private readonly links: L[] = [];
  private scheduled = false;
  /** UTF-8 byte lengths of the texts being written, reused. */
  private readonly lengths: number[] = [];

  constructor(
    /** Writes `bytes` frames for `link`: `encode(out, at)` fills them at out[at]. */
    private readonly write: (link: L, bytes: number, encode: (out: Buffer, at: number) => void) => void,
    /** After a flush (the native server sends its whole batch then). */
    private readonly afterFlush: () => void = () => {},
  ) {}

  /** Queues `text`; the caller has checked the link's send buffer bound. */
  push(link: L, text: string): void {
    if (link.pending === undefined || link.pending.length === 0) {
      link.pending ??= [];
      this.links.push(link);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    }
    link.pending.push(text);
    link.pendingLength += text.length;
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const links = this.links;
    for (let i = 0; i < links.length; i++) this.flushLink(links[i]!);
    links.length = 0;
    this.afterFlush();
  };

  /** Writes this link's frames now (before something that must follow them). */
  flushLink(link: L): void {
    const texts = link.pending;
    link.pending = undefined;
    link.pendingLength = 0;
    if (texts === undefined || texts.length === 0) return;
    const lengths = this.lengths;
    let total = 0;
    for (let i = 0; i < texts.length; i++) {
      const length = Buffer.byteLength(texts[i]!, 'utf8');
      lengths[i] = length;
      total += frameHeaderLength(length) + length;
    }
    this.write(link, total, (out, at) => {
      for (let i = 0; i < texts.length; i++) {
        at += writeFrameHeader(out, at, Opcode.TEXT, lengths[i]!);
        at += out.write(texts[i]!, at, lengths[i]!, 'utf8');
      }
    });
  }

  /** Forgets a closed link's frames. */
  drop(link: L): void {
    link.pending = undefined;
    link.pendingLength = 0;
  }
}
