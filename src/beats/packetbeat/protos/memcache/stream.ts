import { BinaryParser } from './binary-parser.js';
import type { McMessage, ValueLimits } from './message.js';
import { startsWithCommand, startsWithReply, TextParser } from './text-parser.js';

/**
 * One direction of a memcache conversation. The first byte decides text or binary (binary messages start with the
 * magic byte 0x80 / 0x81, which no text command does); after a parse error the stream resynchronises the same way
 * at the start of the next chunk.
 */
export class McStream {
  readonly #text: TextParser;
  readonly #binary: BinaryParser;
  #mode: 'text' | 'binary' | undefined;
  #error: string | undefined;
  #resync = false;
  readonly #req: boolean;

  constructor(isRequest: boolean, limits: ValueLimits, parseUnknown: boolean) {
    this.#req = isRequest;
    this.#text = new TextParser(isRequest, limits, parseUnknown);
    this.#binary = new BinaryParser(isRequest, limits);
  }

  /** The last parse error (cleared by `reset`). */
  get error(): string | undefined {
    return this.#error;
  }

  /**
   * Forgets the stream position. With `resync` (after lost bytes or garbage) chunks are skipped until one starts like
   * a message: a binary magic byte, or a known command word / reply word (or counter value) in text.
   */
  reset(resync = false): void {
    this.#text.reset();
    this.#binary.reset();
    this.#mode = undefined;
    this.#error = undefined;
    this.#resync = resync;
  }

  feed(chunk: Buffer, ts: number): McMessage[] {
    const out: McMessage[] = [];
    if (chunk.length === 0 || this.#error !== undefined) return out;
    if (this.#resync) {
      const c = chunk[0]!;
      const ok = this.#req ? c === 0x80 || startsWithCommand(chunk) : c === 0x81 || startsWithReply(chunk);
      if (!ok) return out;
      this.#resync = false;
    }
    if (this.#mode === undefined) this.#mode = chunk[0] === 0x80 || chunk[0] === 0x81 ? 'binary' : 'text';
    const p = this.#mode === 'binary' ? this.#binary : this.#text;
    p.feed(chunk, ts, out);
    if (p.error !== undefined) this.#error = p.error;
    return out;
  }
}
