/**
 * One direction of a length-framed TCP stream (MySQL, PostgreSQL, MongoDB): the bytes of a message that is not
 * complete yet, carried over to the next segment together with the capture time of their first byte, so a message
 * spread over several segments is timed from its start.
 */
export class SegmentJoiner {
  #rest: Buffer | undefined;
  #restTs = 0;
  /** Bytes at the front of the last `join` result that came from earlier segments, and their capture time. */
  #carried = 0;
  #carriedTs = 0;

  /** The carried bytes followed by `payload` (no copy when nothing is carried). */
  join(payload: Buffer): Buffer {
    const rest = this.#rest;
    this.#rest = undefined;
    if (rest === undefined || rest.length === 0) {
      this.#carried = 0;
      return payload;
    }
    this.#carried = rest.length;
    this.#carriedTs = this.#restTs;
    return Buffer.concat([rest, payload]);
  }

  /** Capture time of a message starting at `off` of the joined data, `ts` being the current segment's time. */
  startTs(off: number, ts: number): number {
    return off < this.#carried ? this.#carriedTs : ts;
  }

  /** Keeps `data[off..]` (a message's beginning) for the next segment. Copies: the segment's buffer is not ours. */
  keep(data: Buffer, off: number, ts: number): void {
    if (off >= data.length) return;
    this.#rest = Buffer.from(data.subarray(off));
    this.#restTs = this.startTs(off, ts);
  }

  clear(): void {
    this.#rest = undefined;
  }
}
