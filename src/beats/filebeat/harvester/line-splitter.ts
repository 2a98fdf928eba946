/**
 * Receives each complete line found by a LineSplitter: the line's bytes (without the newline, and without a `\r`
 * before it) in `buf[start, end)`, the file offset of its first byte, and the offset just past its newline.
 * `buf` may be reused after the call returns: copy or decode before returning. `truncated` is true when the line
 * was longer than `max_bytes` and its rest was skipped. Returning `false` pauses the splitter after this line
 * (the consumer must wait, e.g. for pipeline backpressure); `push` then says where to resume.
 */
export type LineSink = (buf: Buffer, start: number, end: number, lineOffset: number, nextOffset: number, truncated: boolean) => boolean | void;

export interface SplitterOptions {
  /** Bytes of a newline in the file's encoding: `[0x0a]`, UTF-16LE `[0x0a, 0x00]`, UTF-16BE `[0x00, 0x0a]`. */
  newline: Buffer;
  /** Bytes of a carriage return in the encoding, stripped before a newline (`\r\n` files). */
  carriageReturn: Buffer;
  /** Longest line kept, in bytes; the rest up to the newline is skipped (Filebeat `max_bytes`). */
  maxBytes: number;
}

/**
 * Splits a byte stream into lines, incrementally and without I/O. Hot path of Filebeat: `Buffer.indexOf` finds
 * each newline (memchr), lines are handed out as slices of the caller's buffer, and only a partial line at the end
 * of a chunk is kept (copied) until the next chunk completes it. A line longer than the chunk is assembled from
 * pieces; past `maxBytes` further bytes are counted but not stored, so memory stays bounded on hostile input.
 * Multi-byte newlines (UTF-16) are only matched at offsets aligned to the code unit from the line start.
 */
export class LineSplitter {
  readonly #nl: Buffer;
  readonly #cr: Buffer;
  readonly #maxBytes: number;
  readonly #unit: number;
  /** Pieces of the current incomplete line (copies), and their total length kept. */
  #pieces: Buffer[] = [];
  #kept = 0;
  /** Bytes of the current incomplete line seen so far, including skipped ones. */
  #seen = 0;
  /** File offset where the current incomplete line starts. */
  #lineOffset: number;
  /** Multi-byte encodings: trailing bytes of a chunk that do not complete a code unit, kept for the next one. */
  #carry: Buffer | undefined;

  constructor(opts: SplitterOptions, startOffset = 0) {
    this.#nl = opts.newline;
    this.#cr = opts.carriageReturn;
    this.#maxBytes = Math.max(1, opts.maxBytes);
    this.#unit = opts.newline.length;
    this.#lineOffset = startOffset;
  }

  /** Offset of the first byte not yet part of a complete line (where a restart must resume). */
  get pendingOffset(): number {
    return this.#lineOffset;
  }

  /** Bytes held for an incomplete line. */
  get pendingBytes(): number {
    return this.#seen;
  }

  /** Forgets any partial line and restarts counting at `offset` (after truncation or a seek). */
  reset(offset: number): void {
    this.#pieces = [];
    this.#kept = 0;
    this.#seen = 0;
    this.#lineOffset = offset;
    this.#carry = undefined;
  }

  /**
   * Feeds `buf[start, end)`, which follows the previously fed bytes in the file, calling `sink` for each line.
   * Returns -1 when everything was consumed, or, when `sink` asked to pause, the index in `buf` to feed again
   * from (`push(buf, resumeAt, end, sink)`) once the consumer is ready.
   */
  push(buf: Buffer, start: number, end: number, sink: LineSink): number {
    const nl = this.#nl;
    const unit = this.#unit;
    let shift = 0; // bytes of a previous carry in front of the caller's buffer
    if (unit > 1) {
      // Process whole code units only, so a newline split across two chunks is still seen.
      if (this.#carry) {
        shift = this.#carry.length - start;
        buf = Buffer.concat([this.#carry, buf.subarray(start, end)]);
        start = 0;
        end = buf.length;
        this.#carry = undefined;
      }
      const rem = (end - start) % unit;
      if (rem > 0) {
        this.#carry = Buffer.from(buf.subarray(end - rem, end));
        end -= rem;
      }
    }
    let pos = start;
    while (pos < end) {
      let i = unit === 1 ? buf.indexOf(nl[0]!, pos) : this.#findAligned(buf, pos, end);
      if (i >= end) i = -1;
      if (i < 0) {
        this.#keep(buf, pos, end);
        return -1;
      }
      const next = i + unit;
      let go: boolean | void;
      if (this.#seen === 0) {
        const lineEnd = this.#stripCr(buf, pos, i);
        const len = i - pos;
        const off = this.#lineOffset;
        this.#lineOffset = off + len + unit;
        if (lineEnd - pos > this.#maxBytes) go = sink(buf, pos, pos + this.#alignDown(this.#maxBytes), off, this.#lineOffset, true);
        else go = sink(buf, pos, lineEnd, off, this.#lineOffset, false);
      } else {
        this.#keep(buf, pos, i);
        go = this.#emitPieces(sink, unit);
      }
      pos = next;
      if (go === false && pos < end) {
        // The caller feeds the rest again, trailing partial code unit included.
        this.#carry = undefined;
        return pos - shift;
      }
    }
    return -1;
  }

  /** Emits a pending partial line as a line (end of a stream that will not grow: stdin). */
  finish(sink: LineSink): void {
    if (this.#seen > 0) void this.#emitPieces(sink, 0);
  }

  #findAligned(buf: Buffer, from: number, end: number): number {
    const unit = this.#unit;
    // Alignment is relative to the start of the current line, whose first byte is at file offset #lineOffset.
    let p = from;
    for (;;) {
      const i = buf.indexOf(this.#nl, p);
      if (i < 0 || i + unit > end) return -1;
      const rel = i - from + this.#seen;
      if (rel % unit === 0) return i;
      p = i + 1;
    }
  }

  #alignDown(n: number): number {
    return n - (n % this.#unit);
  }

  #stripCr(buf: Buffer, start: number, end: number): number {
    const cr = this.#cr;
    const u = this.#unit;
    if (end - start < u) return end;
    if (u === 1) return buf[end - 1] === cr[0] ? end - 1 : end;
    for (let k = 0; k < u; k++) if (buf[end - u + k] !== cr[k]) return end;
    return end - u;
  }

  #keep(buf: Buffer, start: number, end: number): void {
    const n = end - start;
    this.#seen += n;
    const room = this.#maxBytes + this.#unit - this.#kept; // keep one unit more to detect a trailing \r
    if (room <= 0 || n === 0) return;
    const take = Math.min(room, n);
    this.#pieces.push(Buffer.from(buf.subarray(start, start + take)));
    this.#kept += take;
  }

  #emitPieces(sink: LineSink, unit: number): boolean | void {
    const whole = this.#pieces.length === 1 ? this.#pieces[0]! : Buffer.concat(this.#pieces, this.#kept);
    const off = this.#lineOffset;
    const seen = this.#seen;
    this.#lineOffset = off + seen + unit;
    this.#pieces = [];
    this.#kept = 0;
    this.#seen = 0;
    // Strip \r only when it really is the last byte of the line (not when the line was cut).
    let end = whole.length;
    let truncated = seen > whole.length;
    if (!truncated) end = this.#stripCr(whole, 0, end);
    if (end > this.#maxBytes) {
      end = this.#alignDown(this.#maxBytes);
      truncated = true;
    }
    return sink(whole, 0, end, off, this.#lineOffset, truncated);
  }
}
