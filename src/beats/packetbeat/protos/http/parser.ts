import { newMessage, type HttpMessage } from './message.js';

/**
 * Incremental HTTP/1.x message parser for one direction of a connection: bytes in, complete messages out, no I/O.
 * Handles keep-alive and pipelining (any number of messages per feed, a message across any number of feeds),
 * Content-Length and chunked bodies (with trailers), bodies delimited by connection close (`fin`), responses
 * without a body (1xx, 204, 304, answers to HEAD: the caller says so through `BodyPolicy.noBody`), and gaps inside
 * bodies. Bad input never throws: an unparseable start line is skipped line by line until something that looks
 * like a message starts again, and oversized header sections are dropped.
 */

/** What the parser asks its owner about the message whose headers were just read. */
export interface BodyPolicy {
  /** A response that carries no body whatever its headers say (the answer to a HEAD request). */
  noBody(m: HttpMessage): boolean;
  /** Bytes of the body to keep in `m.body` (0 = count it only). */
  keepBody(m: HttpMessage): number;
}

export const MAX_LINE_BYTES = 16 * 1024;
export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_HEADERS = 256;

const enum State {
  StartLine,
  Headers,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

const LF = 10;
const CR = 13;

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) +HTTP\/(\d\.\d)$/;
const STATUS_LINE = /^HTTP\/(\d\.\d) +(\d{3})(?: (.*))?$/;
const HEX = /^[0-9a-fA-F]{1,15}$/;

export class HttpParser {
  readonly isRequest: boolean;
  #state: State = State.StartLine;
  #msg: HttpMessage | undefined;
  /** Unconsumed bytes of an incomplete line (line-oriented states only). */
  #pending: Buffer | undefined;
  #pendingParts: Buffer[] = [];
  #pendingLen = 0;
  #remaining = 0;
  #keep = 0;
  /** Bytes skipped while looking for a start line (garbage or the tail of a message lost in a gap). */
  skippedBytes = 0;

  constructor(isRequest: boolean) {
    this.isRequest = isRequest;
  }

  /** True when a message has started but is not complete. */
  get inMessage(): boolean {
    return this.#msg !== undefined;
  }

  /** Feeds the next bytes of the stream; complete messages are appended to `out`. */
  feed(data: Buffer, ts: number, policy: BodyPolicy, out: HttpMessage[]): void {
    let b = data;
    if (this.#pending !== undefined) {
      // An incomplete line is waiting. Until its end arrives the pieces are only collected (no copy per segment,
      // so a line sent one byte per segment costs O(n), not O(n^2)).
      if (data.indexOf(LF) < 0) {
        this.#pendingParts.push(Buffer.from(data));
        this.#pendingLen += data.length;
        if (this.#pendingLen > MAX_LINE_BYTES) {
          this.skippedBytes += this.#pendingLen;
          this.#abandon('line too long');
        }
        return;
      }
      b = Buffer.concat([this.#pending, ...this.#pendingParts, data]);
      this.#pending = undefined;
      this.#pendingParts = [];
      this.#pendingLen = 0;
    }
    let pos = 0;
    const len = b.length;
    while (pos < len) {
      const st = this.#state;
      if (st === State.Body || st === State.ChunkData || st === State.UntilClose) {
        const m = this.#msg as HttpMessage;
        const avail = len - pos;
        const take = st === State.UntilClose ? avail : Math.min(avail, this.#remaining);
        this.#keepBytes(m, b, pos, take);
        m.bodyBytes += take;
        m.size += take;
        m.endTs = ts;
        pos += take;
        if (st === State.UntilClose) continue;
        this.#remaining -= take;
        if (this.#remaining === 0) {
          if (st === State.Body) this.#finish(out);
          else this.#state = State.ChunkDataEnd;
        }
        continue;
      }
      // Line-oriented states.
      const nl = b.indexOf(LF, pos);
      if (nl < 0) {
        if (len - pos > MAX_LINE_BYTES) {
          this.#abandon('line too long');
          this.skippedBytes += len - pos;
          return;
        }
        this.#pending = Buffer.from(b.subarray(pos));
        this.#pendingLen = len - pos;
        if (this.#state === State.StartLine) this.#pendingTs = this.#pendingTs ?? ts;
        return;
      }
      const lineLen = nl + 1 - pos;
      const end = nl > pos && b[nl - 1] === CR ? nl - 1 : nl;
      const line = b.toString('latin1', pos, end);
      const lineTs = this.#pendingTs ?? ts;
      this.#pendingTs = undefined;
      pos = nl + 1;
      this.#line(line, lineLen, lineTs, ts, policy, out);
    }
  }

  #pendingTs: number | undefined;

  /** The peer closed its side: a body delimited by close is complete; a partial message is published with a note. */
  fin(ts: number, out: HttpMessage[]): void {
    const m = this.#msg;
    this.#clearPending();
    if (m === undefined) return;
    if (this.#state !== State.UntilClose && this.#state !== State.Headers) {
      m.notes.push('Message truncated by connection close');
    }
    if (this.#state === State.Headers) {
      this.#abandon('connection closed in headers');
      return;
    }
    m.endTs = Math.max(m.endTs, ts);
    this.#finish(out);
  }

  /**
   * `n` bytes of the stream were lost. Inside a body of known length (or one delimited by close) the message goes
   * on with a note; anywhere else the partial message is published with that note and the parser looks for the next
   * start line. Returns false when a message in progress could not be saved.
   */
  gap(n: number, out: HttpMessage[]): boolean {
    const m = this.#msg;
    this.#clearPending();
    if (m === undefined) return true;
    const st = this.#state;
    if (st === State.UntilClose || ((st === State.Body || st === State.ChunkData) && n <= this.#remaining)) {
      m.notes.push(`Packet loss while capturing the ${m.isRequest ? 'request' : 'response'}`);
      m.bodyBytes += n;
      m.size += n;
      if (st !== State.UntilClose) {
        this.#remaining -= n;
        if (this.#remaining === 0) {
          if (st === State.Body) this.#finish(out);
          else this.#state = State.ChunkDataEnd;
        }
      }
      return true;
    }
    // The message is cut: publish what was read (so requests and responses stay paired in order), then look for the
    // next start line.
    m.notes.push(`Packet loss while capturing the ${m.isRequest ? 'request' : 'response'}`);
    this.#finish(out);
    return false;
  }

  /** Drops everything buffered (the stream was given up). */
  reset(): void {
    this.#abandon('reset');
  }

  #abandon(_why: string): void {
    this.#msg = undefined;
    this.#clearPending();
    this.#state = State.StartLine;
    this.#remaining = 0;
  }

  #clearPending(): void {
    this.#pending = undefined;
    this.#pendingParts = [];
    this.#pendingLen = 0;
    this.#pendingTs = undefined;
  }

  #keepBytes(m: HttpMessage, b: Buffer, pos: number, take: number): void {
    if (this.#keep <= 0 || take === 0) return;
    const n = Math.min(take, this.#keep);
    (m.body ??= []).push(Buffer.from(b.subarray(pos, pos + n)));
    m.bodyKept += n;
    this.#keep -= n;
  }

  #finish(out: HttpMessage[]): void {
    const m = this.#msg;
    if (m !== undefined) out.push(m);
    this.#msg = undefined;
    this.#state = State.StartLine;
    this.#remaining = 0;
    this.#keep = 0;
  }

  #line(line: string, lineLen: number, lineTs: number, ts: number, policy: BodyPolicy, out: HttpMessage[]): void {
    switch (this.#state) {
      case State.StartLine: {
        if (line.length === 0) return; // stray CRLF between messages (allowed before a request)
        const m = this.#startLine(line, lineTs);
        if (m === undefined) {
          this.skippedBytes += lineLen;
          return;
        }
        m.size = lineLen;
        m.headerBytes = lineLen;
        m.endTs = ts;
        this.#msg = m;
        this.#state = State.Headers;
        return;
      }
      case State.Headers:
      case State.Trailers: {
        const m = this.#msg as HttpMessage;
        m.size += lineLen;
        m.endTs = ts;
        const trailers = this.#state === State.Trailers;
        if (!trailers) m.headerBytes += lineLen;
        if (line.length === 0) {
          if (trailers) this.#finish(out);
          else this.#headersDone(m, policy, out);
          return;
        }
        if (m.headerBytes > MAX_HEADER_BYTES || m.headers.length >= MAX_HEADERS) {
          this.#abandon('header section too large');
          return;
        }
        const c0 = line.charCodeAt(0);
        if ((c0 === 32 || c0 === 9) && m.headers.length > 0) {
          // obsolete line folding: continuation of the previous value
          const last = m.headers[m.headers.length - 1] as [string, string];
          last[1] = `${last[1]} ${line.trim()}`;
          return;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) return; // not a header field: ignored
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        m.headers.push([name, value]);
        if (!trailers) this.#noteHeader(m, name, value);
        return;
      }
      case State.ChunkSize: {
        const m = this.#msg as HttpMessage;
        m.size += lineLen;
        m.endTs = ts;
        const semi = line.indexOf(';');
        const hex = (semi >= 0 ? line.slice(0, semi) : line).trim();
        if (!HEX.test(hex)) {
          m.notes.push('Invalid chunk size');
          this.#finish(out);
          return;
        }
        const size = parseInt(hex, 16);
        if (size === 0) {
          this.#state = State.Trailers;
          return;
        }
        this.#remaining = size;
        this.#state = State.ChunkData;
        return;
      }
      case State.ChunkDataEnd: {
        const m = this.#msg as HttpMessage;
        m.size += lineLen;
        m.endTs = ts;
        if (line.length !== 0) {
          m.notes.push('Invalid chunk framing');
          this.#finish(out);
          return;
        }
        this.#state = State.ChunkSize;
        return;
      }
      default:
        return;
    }
  }

  #startLine(line: string, ts: number): HttpMessage | undefined {
    if (this.isRequest) {
      const r = REQUEST_LINE.exec(line);
      if (r === null) return undefined;
      const m = newMessage(true, ts);
      m.method = r[1] as string;
      m.uri = r[2] as string;
      m.version = r[3] as string;
      return m;
    }
    const r = STATUS_LINE.exec(line);
    if (r === null) return undefined;
    const m = newMessage(false, ts);
    m.version = r[1] as string;
    m.code = Number(r[2]);
    m.phrase = (r[3] ?? '').trim();
    return m;
  }

  #noteHeader(m: HttpMessage, name: string, value: string): void {
    const n = name.length;
    if (n !== 12 && n !== 14 && n !== 17) return;
    const lower = name.toLowerCase();
    if (lower === 'content-length') {
      const v = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(v) || (m.contentLength !== undefined && m.contentLength !== v)) {
        m.notes.push('Invalid Content-Length');
        m.contentLength = m.contentLength ?? 0;
      } else m.contentLength = v;
    } else if (lower === 'transfer-encoding') {
      const codings = value.toLowerCase().split(',');
      m.chunked = (codings[codings.length - 1] as string).trim() === 'chunked';
    } else if (lower === 'content-type') {
      const semi = value.indexOf(';');
      m.contentType = (semi >= 0 ? value.slice(0, semi) : value).trim().toLowerCase();
    }
  }

  #headersDone(m: HttpMessage, policy: BodyPolicy, out: HttpMessage[]): void {
    if (!m.isRequest) {
      const c = m.code;
      if ((c >= 100 && c < 200) || c === 204 || c === 304 || policy.noBody(m)) {
        this.#finish(out);
        return;
      }
    }
    if (m.chunked) {
      this.#keep = policy.keepBody(m);
      this.#state = State.ChunkSize;
      return;
    }
    if (m.contentLength !== undefined) {
      if (m.contentLength === 0) {
        this.#finish(out);
        return;
      }
      this.#keep = policy.keepBody(m);
      this.#remaining = m.contentLength;
      this.#state = State.Body;
      return;
    }
    if (m.isRequest) {
      this.#finish(out);
      return;
    }
    // A response with neither length nor chunking: the body runs until the server closes the connection.
    this.#keep = policy.keepBody(m);
    this.#state = State.UntilClose;
  }
}
