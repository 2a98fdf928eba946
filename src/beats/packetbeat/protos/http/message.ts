/** One HTTP/1.x request or response as seen on the wire. Header names keep their spelling; lookups lower-case. */
export interface HttpMessage {
  readonly isRequest: boolean;
  /** Capture time of the packet holding the first byte of the start line (ms). */
  startTs: number;
  /** Capture time of the packet holding the last byte of the message (ms). */
  endTs: number;
  /** `1.1`, `1.0`. */
  version: string;
  /** Requests: method and request target. */
  method: string;
  uri: string;
  /** Responses: status code and reason phrase. */
  code: number;
  phrase: string;
  /** Header fields in wire order (trailers of a chunked body appended), names as sent. */
  headers: Array<[string, string]>;
  /** Content-Length header value, when present and valid. */
  contentLength: number | undefined;
  chunked: boolean;
  /** Value of Content-Type (lower-cased, without parameters), '' when absent. */
  contentType: string;
  /** Wire bytes of the start line and header section (including the blank line). */
  headerBytes: number;
  /** Wire bytes of the whole message (headers, body and chunk framing). */
  size: number;
  /** Body bytes after removing chunked framing (what was seen; lost bytes of a gap are counted too). */
  bodyBytes: number;
  /** Body kept for the event (only when the protocol asked for it), decoded from chunked framing, capped. */
  body: Buffer[] | undefined;
  bodyKept: number;
  /** Parser remarks (gaps, truncation) copied into the event's `notes`. */
  notes: string[];
}

export function newMessage(isRequest: boolean, ts: number): HttpMessage {
  return {
    isRequest,
    startTs: ts,
    endTs: ts,
    version: '',
    method: '',
    uri: '',
    code: 0,
    phrase: '',
    headers: [],
    contentLength: undefined,
    chunked: false,
    contentType: '',
    headerBytes: 0,
    size: 0,
    bodyBytes: 0,
    body: undefined,
    bodyKept: 0,
    notes: [],
  };
}

/** The value of a header (case-insensitive name); duplicates joined with `, `. */
export function headerValue(m: HttpMessage, lowerName: string): string | undefined {
  let out: string | undefined;
  for (const [n, v] of m.headers) {
    if (n.length === lowerName.length && n.toLowerCase() === lowerName) out = out === undefined ? v : `${out}, ${v}`;
  }
  return out;
}

/** The kept body as one Buffer (empty when none was kept). */
export function bodyOf(m: HttpMessage): Buffer {
  if (!m.body || m.body.length === 0) return Buffer.alloc(0);
  return m.body.length === 1 ? (m.body[0] as Buffer) : Buffer.concat(m.body);
}
