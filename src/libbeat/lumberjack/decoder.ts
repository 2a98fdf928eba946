import { inflateSync } from 'node:zlib';
import {
  TYPE_ACK,
  TYPE_COMPRESSED,
  TYPE_DATA,
  TYPE_JSON,
  TYPE_WINDOW,
  VERSION_1,
  VERSION_2,
  type Frame,
  type LjVersion,
} from './frames.js';

export interface DecoderOptions {
  /** Largest accepted frame (header + body), bytes. Default 64 MiB. */
  maxFrameBytes?: number;
  /** Inflate `C` frames and emit the frames inside them (default true). */
  inflate?: boolean;
  /** Largest accepted inflated payload, bytes. Default 256 MiB. */
  maxInflatedBytes?: number;
  /** Frame types this side accepts (a sender only expects ACKs; a reader never does). Default: all. */
  accept?: readonly Frame['kind'][];
}

/** Result of trying one frame at an offset. */
type Step = { frame: Frame; next: number } | { need: number } | { error: string };

const DEFAULT_MAX_FRAME = 64 * 1024 * 1024;
const DEFAULT_MAX_INFLATED = 256 * 1024 * 1024;

/**
 * Incremental lumberjack frame decoder: bytes in (any split), frames out. Pure apart from zlib inflation; never
 * throws on hostile input — a protocol violation stops the decoder and is reported in `error` (the connection
 * should then be closed). Frames inside a read are parsed in place; the bytes of a frame that spans reads are kept
 * as a list and joined once it is complete, so a large compressed frame arriving in many small reads is copied
 * once, and a stream of small frames is not copied at all.
 */
export class FrameDecoder {
  #chunks: Buffer[] = [];
  #len = 0;
  /** Bytes needed before parsing is worth trying again. */
  #need = 2;
  #error: string | undefined;
  readonly #maxFrame: number;
  readonly #inflate: boolean;
  readonly #maxInflated: number;
  readonly #accept: ReadonlySet<Frame['kind']> | undefined;

  constructor(opts: DecoderOptions = {}) {
    this.#maxFrame = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME;
    this.#inflate = opts.inflate ?? true;
    this.#maxInflated = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
    this.#accept = opts.accept ? new Set(opts.accept) : undefined;
  }

  /** The protocol error that stopped decoding, if any. */
  get error(): string | undefined {
    return this.#error;
  }

  /** Bytes received but not yet part of a complete frame. */
  get buffered(): number {
    return this.#len;
  }

  /** Feeds bytes; returns the frames completed by them (possibly none). */
  push(chunk: Buffer): Frame[] {
    if (this.#error !== undefined || chunk.length === 0) return [];
    const out: Frame[] = [];
    let used = 0;
    // A frame begun in earlier reads: join only the bytes it still needs (not the whole new chunk).
    while (this.#len > 0) {
      const missing = Math.max(0, this.#need - this.#len);
      if (missing > chunk.length - used) {
        this.#chunks.push(used === 0 ? chunk : chunk.subarray(used));
        this.#len += chunk.length - used;
        return out;
      }
      if (missing > 0) {
        this.#chunks.push(chunk.subarray(used, used + missing));
        this.#len += missing;
        used += missing;
      }
      const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#len);
      const step = parseFrame(buf, 0, this.#maxFrame);
      if ('error' in step) return this.#fail(step.error, out);
      if ('need' in step) {
        this.#chunks = [buf];
        this.#need = step.need;
        continue;
      }
      if (step.next < buf.length) {
        const rest = buf.subarray(step.next);
        this.#chunks = [rest];
        this.#len = rest.length;
        this.#need = 2;
      } else {
        this.#chunks = [];
        this.#len = 0;
      }
      if (!this.#emit(step.frame, out, 0)) return out;
    }
    // Whole frames inside this chunk are parsed in place.
    let off = used;
    while (off < chunk.length) {
      const step = parseFrame(chunk, off, this.#maxFrame);
      if ('error' in step) return this.#fail(step.error, out);
      if ('need' in step) {
        this.#chunks = [chunk.subarray(off)];
        this.#len = chunk.length - off;
        this.#need = step.need - off;
        return out;
      }
      off = step.next;
      if (!this.#emit(step.frame, out, 0)) return out;
    }
    return out;
  }

  #fail(message: string, out: Frame[]): Frame[] {
    this.#error = message;
    this.#chunks = [];
    this.#len = 0;
    return out;
  }

  #emit(frame: Frame, out: Frame[], depth: number): boolean {
    if (this.#accept && !this.#accept.has(frame.kind) && !(frame.kind === 'compressed' && this.#inflate)) {
      this.#fail(`unexpected ${frame.kind} frame`, out);
      return false;
    }
    if (frame.kind !== 'compressed' || !this.#inflate) {
      out.push(frame);
      return true;
    }
    if (depth > 0) {
      this.#fail('compressed frame nested inside a compressed frame', out);
      return false;
    }
    let inner: Buffer;
    try {
      inner = inflateSync(frame.payload, { maxOutputLength: this.#maxInflated });
    } catch (err) {
      this.#fail(`cannot inflate compressed frame: ${(err as Error).message}`, out);
      return false;
    }
    let off = 0;
    while (off < inner.length) {
      const step = parseFrame(inner, off, this.#maxFrame);
      if ('error' in step) {
        this.#fail(`inside compressed frame: ${step.error}`, out);
        return false;
      }
      if ('need' in step) {
        this.#fail('truncated frame inside compressed frame', out);
        return false;
      }
      off = step.next;
      if (!this.#emit(step.frame, out, depth + 1)) return false;
    }
    return true;
  }
}

function readVersion(b: number): LjVersion | undefined {
  return b === VERSION_2 ? 2 : b === VERSION_1 ? 1 : undefined;
}

function printable(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
}

/** Parses one frame at `off`, or says how many bytes (from the buffer start) are needed, or why it is invalid. */
export function parseFrame(buf: Buffer, off: number, maxFrame = DEFAULT_MAX_FRAME): Step {
  const avail = buf.length - off;
  if (avail < 2) return { need: off + 2 };
  const version = readVersion(buf[off]!);
  if (version === undefined) return { error: `unknown protocol version ${printable(buf[off]!)}` };
  const type = buf[off + 1]!;
  switch (type) {
    case TYPE_WINDOW:
    case TYPE_ACK: {
      if (avail < 6) return { need: off + 6 };
      const n = buf.readUInt32BE(off + 2);
      const frame: Frame = type === TYPE_WINDOW ? { kind: 'window', version, size: n } : { kind: 'ack', version, seq: n };
      return { frame, next: off + 6 };
    }
    case TYPE_JSON: {
      if (avail < 10) return { need: off + 10 };
      const seq = buf.readUInt32BE(off + 2);
      const len = buf.readUInt32BE(off + 6);
      if (len + 10 > maxFrame) return { error: `JSON frame of ${len} bytes exceeds the limit of ${maxFrame}` };
      if (avail < 10 + len) return { need: off + 10 + len };
      return { frame: { kind: 'json', version, seq, payload: buf.subarray(off + 10, off + 10 + len) }, next: off + 10 + len };
    }
    case TYPE_COMPRESSED: {
      if (avail < 6) return { need: off + 6 };
      const len = buf.readUInt32BE(off + 2);
      if (len + 6 > maxFrame) return { error: `compressed frame of ${len} bytes exceeds the limit of ${maxFrame}` };
      if (avail < 6 + len) return { need: off + 6 + len };
      return { frame: { kind: 'compressed', version, payload: buf.subarray(off + 6, off + 6 + len) }, next: off + 6 + len };
    }
    case TYPE_DATA:
      return parseData(buf, off, version, maxFrame);
    default:
      return { error: `unknown frame type ${printable(type)}` };
  }
}

function parseData(buf: Buffer, off: number, version: LjVersion, maxFrame: number): Step {
  if (buf.length - off < 10) return { need: off + 10 };
  const seq = buf.readUInt32BE(off + 2);
  const pairs = buf.readUInt32BE(off + 6);
  // Each pair takes at least 8 bytes: a count this large cannot fit in a frame we accept.
  if (pairs * 8 + 10 > maxFrame) return { error: `data frame announces ${pairs} pairs, more than a frame can hold` };
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  let p = off + 10;
  for (let i = 0; i < pairs; i++) {
    if (buf.length - p < 4) return { need: p + 4 };
    const klen = buf.readUInt32BE(p);
    if (p + 4 + klen - off > maxFrame) return { error: `data frame exceeds the limit of ${maxFrame} bytes` };
    if (buf.length - p < 8 + klen) return { need: p + 8 + klen };
    const key = buf.toString('utf8', p + 4, p + 4 + klen);
    const vlen = buf.readUInt32BE(p + 4 + klen);
    const vstart = p + 8 + klen;
    if (vstart + vlen - off > maxFrame) return { error: `data frame exceeds the limit of ${maxFrame} bytes` };
    if (buf.length < vstart + vlen) return { need: vstart + vlen };
    fields[key] = buf.toString('utf8', vstart, vstart + vlen);
    p = vstart + vlen;
  }
  return { frame: { kind: 'data', version, seq, fields }, next: p };
}
