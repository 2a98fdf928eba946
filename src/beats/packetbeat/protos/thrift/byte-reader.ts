const EMPTY = Buffer.alloc(0);

/**
 * The read cursor shared by the Thrift message framing and the body decoder: the current chunk, a carry for
 * fixed-size reads split across chunks, and the byte count of the message being read.
 */
export class ByteReader {
  chunk: Buffer = EMPTY;
  pos = 0;
  /** The message whose `bytes` reads are counted into. */
  msg: { bytes: number } | undefined;
  readonly #carry = Buffer.alloc(16);
  #carryLen = 0;
  /** The bytes of the last successful take: rb at ro (no Buffer view allocated per read). */
  rb: Buffer = this.#carry;
  ro = 0;

  /** Bytes of a fixed-size read are waiting for the next chunk. */
  get carrying(): boolean {
    return this.#carryLen !== 0;
  }

  get remaining(): number {
    return this.chunk.length - this.pos;
  }

  setChunk(chunk: Buffer): void {
    this.chunk = chunk;
    this.pos = 0;
  }

  release(): void {
    this.chunk = EMPTY;
  }

  clearCarry(): void {
    this.#carryLen = 0;
  }

  /** Reads n (<= 16) bytes, across chunks if needed, into rb/ro; false when the chunk ran out first. */
  take(n: number): boolean {
    const c = this.chunk;
    const avail = c.length - this.pos;
    if (this.#carryLen === 0 && avail >= n) {
      this.rb = c;
      this.ro = this.pos;
      this.pos += n;
      this.msg!.bytes += n;
      return true;
    }
    const k = Math.min(n - this.#carryLen, avail);
    c.copy(this.#carry, this.#carryLen, this.pos, this.pos + k);
    this.#carryLen += k;
    this.pos += k;
    this.msg!.bytes += k;
    if (this.#carryLen < n) return false;
    this.#carryLen = 0;
    this.rb = this.#carry;
    this.ro = 0;
    return true;
  }

  /** Up to n bytes of the current chunk (a view), counted into the message. */
  part(n: number): Buffer {
    const k = Math.min(n, this.chunk.length - this.pos);
    const b = this.chunk.subarray(this.pos, this.pos + k);
    this.pos += k;
    this.msg!.bytes += k;
    return b;
  }

  /** Passes over up to n bytes of the current chunk, not counted; returns how many. */
  skip(n: number): number {
    const k = Math.min(n, this.chunk.length - this.pos);
    this.pos += k;
    return k;
  }
}
