/**
 * Incremental PostgreSQL (protocol 3.0) connection parser: bytes of both directions in, finished request cycles
 * out. A cycle is a simple Query message, or the extended-protocol messages up to Sync (Parse, Bind, Describe,
 * Execute, Close, Flush); its response ends with ReadyForQuery. The startup phase (StartupMessage, SSLRequest and
 * its one-byte answer, authentication and password / SASL messages) is read only to stay in step: password
 * messages are skipped unread, so credentials never reach an event. A stream that starts mid-connection is taken as
 * typed messages; framing that makes no sense drops the buffered bytes.
 */
import { SegmentJoiner } from '../segment-joiner.js';

/** Result of one statement (simple protocol) or of one Execute (extended protocol). */
export interface PgResult {
  numFields: number;
  numRows: number;
  tag?: string | undefined;
  error?: PgError | undefined;
  /** EmptyQueryResponse. */
  empty?: boolean | undefined;
  /** Capture time of the message that ended this result. */
  ts: number;
  bytes: number;
  columns?: string[] | undefined;
  rows?: (string | null)[][] | undefined;
}

export interface PgError {
  severity: string;
  code: string;
  message: string;
}

export interface PgRequest {
  ts: number;
  bytes: number;
  /** `simple` = Query message; `extended` = a cycle ending in Sync; `silent` = no transaction (bare Sync, FunctionCall). */
  kind: 'simple' | 'extended' | 'silent';
  query?: string | undefined;
  /** Client message types of an extended cycle (`PBDES`). */
  messages: string;
  executes: boolean;
}

export interface PgExchange {
  req: PgRequest;
  results: PgResult[];
  /** ReadyForQuery seen (false: connection closed, timeout, gap). */
  complete: boolean;
  /** Time of the last response message before ReadyForQuery (or of ReadyForQuery). */
  responseTs?: number | undefined;
  responseBytes: number;
}

export interface PgParserOptions {
  /** Rows decoded per result for `response` (0 = none). */
  maxRows: number;
}

const MAX_MESSAGE = 64 * 1024 * 1024;
const MAX_NAMES = 10000;

const PROTO_3 = 196608;
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;


interface Resp {
  results: PgResult[];
  cur: PgResult;
  bytes: number;
  lastTs: number;
}

export class PgConnParser {
  readonly requests: PgRequest[] = [];
  readonly #opts: PgParserOptions;
  readonly #streams: [SegmentJoiner, SegmentJoiner] = [
    new SegmentJoiner(),
    new SegmentJoiner(),
  ];
  /** undefined = not decided yet (first client bytes tell whether this is a startup packet). */
  #clientStartup: boolean | undefined = undefined;
  /** The server's next byte answers an SSLRequest / GSSENCRequest. */
  #awaitSslAnswer = false;
  #opaque = false;
  /** Per direction: skipping data until a message boundary (after lost bytes). */
  #resync: [boolean, boolean] = [false, false];
  #cycle: PgRequest | undefined;
  #resp: Resp | undefined;
  readonly #stmts = new Map<string, string>();
  readonly #portals = new Map<string, string>();

  constructor(opts: PgParserOptions) {
    this.#opts = opts;
  }

  get opaque(): boolean {
    return this.#opaque;
  }

  feed(dir: 0 | 1, ts: number, payload: Buffer, out: PgExchange[]): void {
    if (this.#opaque || payload.length === 0) return;
    if (this.#resync[dir]) {
      if (!this.#looksAligned(dir, payload)) return;
      this.#resync[dir] = false;
    }
    const joiner = this.#streams[dir];
    const data = joiner.join(payload);
    let off = 0;
    while (off < data.length) {
      const startTs = joiner.startTs(off, ts);
      if (dir === 1 && this.#awaitSslAnswer) {
        this.#awaitSslAnswer = false;
        const b = data[off] as number;
        off++;
        if (b === 0x53 || b === 0x47) {
          this.#opaque = true; // TLS / GSS encryption from here on
          return;
        }
        continue; // 'N': the client goes on in clear text
      }
      if (dir === 0 && this.#clientStartup !== false) {
        if (data[off] !== 0) {
          // a startup packet starts with the high byte of its length (0); anything else is a typed message
          this.#clientStartup = false;
          continue;
        }
        if (data.length - off < 8) break;
        const len = data.readInt32BE(off);
        const code = data.readInt32BE(off + 4);
        const isStartup =
          len >= 8 && len <= 10000 && (code === PROTO_3 || code === SSL_REQUEST || code === GSSENC_REQUEST || code === CANCEL_REQUEST || (code >>> 16 === 3));
        if (!isStartup) {
          this.#clientStartup = false; // typed messages (capture started after the startup phase)
          continue;
        }
        if (data.length - off < len) break;
        off += len;
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.#awaitSslAnswer = true;
          this.#clientStartup = true; // the real StartupMessage follows a refusal
        } else {
          this.#clientStartup = false;
        }
        continue;
      }
      if (data.length - off < 5) break;
      const type = data[off] as number;
      const len = data.readInt32BE(off + 1);
      if (len < 4 || len > MAX_MESSAGE) {
        // not PostgreSQL framing: forget this direction's bytes
        return;
      }
      if (data.length - off < len + 1) break;
      const body = data.subarray(off + 5, off + 1 + len);
      off += 1 + len;
      try {
        if (dir === 0) this.#client(type, body, startTs, len + 1);
        else this.#server(type, body, ts, len + 1, out);
      } catch {
        /* a message that does not decode is skipped */
      }
      if (this.#opaque) return;
    }
    joiner.keep(data, off, ts);
  }

  /**
   * `dir` lost bytes. Server side: the oldest cycle's answer is cut, so that cycle is returned (to be published with
   * a note) and later cycles keep waiting. Client side: requests may be lost, so every waiting cycle is returned.
   * Buffered bytes go and the direction's data is skipped until a segment starts with well-formed messages.
   */
  lostBytes(dir: 0 | 1): PgExchange[] {
    const out: PgExchange[] = [];
    if (dir === 1) {
      const head = this.requests.shift();
      const resp = this.#resp;
      if (head !== undefined) out.push(resp !== undefined ? this.#exchange(head, resp, false) : { req: head, results: [], complete: false, responseBytes: 0 });
    } else {
      out.push(...this.takePending());
      this.#cycle = undefined;
      this.#clientStartup = false;
    }
    this.#resp = undefined;
    this.#streams[dir].clear();
    this.#resync[dir] = true;
    return out;
  }

  /** Whether a segment starts with messages of known types whose lengths chain (to the end or past it). */
  #looksAligned(dir: 0 | 1, p: Buffer): boolean {
    const types = dir === 0 ? 'QPBEDSCHFXpdcf' : 'RSKZTDCEIN123ntsAGHWVdcv';
    let off = 0;
    while (off + 5 <= p.length) {
      if (!types.includes(String.fromCharCode(p[off] as number))) return false;
      const len = p.readInt32BE(off + 1);
      if (len < 4 || len > MAX_MESSAGE) return false;
      off += 1 + len;
    }
    return off > 0 && (dir === 0 || this.#resp === undefined);
  }

  takePending(): PgExchange[] {
    const out: PgExchange[] = [];
    const resp = this.#resp;
    this.#resp = undefined;
    for (const [i, req] of this.requests.entries()) {
      if (i === 0 && resp !== undefined) out.push(this.#exchange(req, resp, false));
      else out.push({ req, results: [], complete: false, responseBytes: 0 });
    }
    this.requests.length = 0;
    // an extended cycle the client never closed with Sync
    const c = this.#cycle;
    this.#cycle = undefined;
    if (c !== undefined && /[PBE]/.test(c.messages)) out.push({ req: c, results: [], complete: false, responseBytes: 0 });
    return out;
  }

  expireOlderThan(cutoff: number): PgExchange | undefined {
    const head = this.requests[0];
    if (head === undefined || head.ts >= cutoff) return undefined;
    this.requests.shift();
    const resp = this.#resp;
    this.#resp = undefined;
    return resp !== undefined ? this.#exchange(head, resp, false) : { req: head, results: [], complete: false, responseBytes: 0 };
  }

  #exchange(req: PgRequest, resp: Resp, complete: boolean): PgExchange {
    // a result cut short (no CommandComplete before the end): keep what was seen
    if (!complete && (resp.cur.numRows > 0 || resp.cur.numFields > 0)) this.#endResult(resp, resp.lastTs);
    return { req, results: resp.results, complete, responseTs: resp.lastTs, responseBytes: resp.bytes };
  }

  #queue(req: PgRequest): void {
    if (this.requests.length >= 1000) this.requests.shift();
    this.requests.push(req);
  }

  // ---- client messages ----

  #client(type: number, body: Buffer, ts: number, size: number): void {
    const ch = String.fromCharCode(type);
    switch (ch) {
      case 'Q': {
        this.#queue({ ts, bytes: size, kind: 'simple', query: cstr(body, 0).s, messages: 'Q', executes: true });
        return;
      }
      case 'P': {
        const c = this.#startCycle(ts);
        const name = cstr(body, 0);
        const q = cstr(body, name.next).s;
        this.#remember(this.#stmts, name.s, q);
        c.query ??= q;
        this.#addMessage(c, ch, size);
        return;
      }
      case 'B': {
        const c = this.#startCycle(ts);
        const portal = cstr(body, 0);
        const stmt = cstr(body, portal.next).s;
        const q = this.#stmts.get(stmt);
        if (q !== undefined) this.#remember(this.#portals, portal.s, q);
        c.query ??= q;
        this.#addMessage(c, ch, size);
        return;
      }
      case 'D':
      case 'C': {
        const c = this.#startCycle(ts);
        const which = body[0];
        const name = cstr(body, 1).s;
        const map = which === 0x50 ? this.#portals : this.#stmts;
        if (ch === 'D') c.query ??= map.get(name);
        else map.delete(name);
        this.#addMessage(c, ch, size);
        return;
      }
      case 'E': {
        const c = this.#startCycle(ts);
        c.executes = true;
        c.query ??= this.#portals.get(cstr(body, 0).s);
        this.#addMessage(c, ch, size);
        return;
      }
      case 'H': {
        this.#addMessage(this.#startCycle(ts), ch, size);
        return;
      }
      case 'S': {
        const c = this.#startCycle(ts);
        this.#addMessage(c, ch, size);
        this.#cycle = undefined;
        if (!/[PBE]/.test(c.messages)) c.kind = 'silent';
        this.#queue(c);
        return;
      }
      case 'F':
        this.#queue({ ts, bytes: size, kind: 'silent', messages: 'F', executes: false });
        return;
      case 'd':
      case 'c':
      case 'f': {
        const last = this.requests[this.requests.length - 1];
        if (last !== undefined) last.bytes += size; // COPY FROM STDIN data belongs to its query
        return;
      }
      default:
        // 'p' (password / SASL: never read), 'X' (terminate) and anything unknown
        return;
    }
  }

  #startCycle(ts: number): PgRequest {
    this.#cycle ??= { ts, bytes: 0, kind: 'extended', messages: '', executes: false };
    return this.#cycle;
  }

  #addMessage(c: PgRequest, ch: string, size: number): void {
    if (c.messages.length < 64) c.messages += ch;
    c.bytes += size;
  }

  #remember(map: Map<string, string>, key: string, value: string): void {
    if (map.size >= MAX_NAMES && !map.has(key)) {
      const first = map.keys().next().value;
      if (first !== undefined) map.delete(first);
    }
    map.set(key, value);
  }

  // ---- server messages ----

  #server(type: number, body: Buffer, ts: number, size: number, out: PgExchange[]): void {
    const head = this.requests[0];
    if (head === undefined) return; // startup, authentication, asynchronous messages
    let r = this.#resp;
    if (r === undefined) {
      r = { results: [], cur: { numFields: 0, numRows: 0, ts, bytes: 0 }, bytes: 0, lastTs: ts };
      this.#resp = r;
    }
    r.bytes += size;
    r.cur.bytes += size;
    const ch = String.fromCharCode(type);
    switch (ch) {
      case 'Z': {
        this.requests.shift();
        this.#resp = undefined;
        if (r.cur.numRows > 0) this.#endResult(r, r.lastTs); // rows without CommandComplete
        out.push(this.#exchange(head, r, true));
        return;
      }
      case 'T': {
        const n = body.readUInt16BE(0);
        r.cur.numFields = n;
        if (this.#opts.maxRows > 0) {
          const cols: string[] = [];
          let p = 2;
          for (let i = 0; i < n && p < body.length; i++) {
            const name = cstr(body, p);
            cols.push(name.s);
            p = name.next + 18;
          }
          r.cur.columns = cols;
          r.cur.rows = [];
        }
        r.lastTs = ts;
        return;
      }
      case 'D': {
        r.cur.numRows++;
        const rows = r.cur.rows;
        if (rows !== undefined && rows.length < this.#opts.maxRows) rows.push(dataRow(body));
        r.lastTs = ts;
        return;
      }
      case 'C':
        r.cur.tag = cstr(body, 0).s;
        this.#endResult(r, ts);
        return;
      case 'I':
        r.cur.empty = true;
        this.#endResult(r, ts);
        return;
      case 'E':
        r.cur.error = parseError(body);
        this.#endResult(r, ts);
        return;
      case 's':
        this.#endResult(r, ts);
        return;
      case '1':
      case '2':
      case '3':
      case 'n':
      case 't':
      case 'V':
      case 'G':
      case 'H':
      case 'W':
      case 'c':
        r.lastTs = ts;
        return;
      default:
        // 'N' notice, 'S' parameter status, 'A' notification, 'd' copy data ...
        return;
    }
  }

  #endResult(r: Resp, ts: number): void {
    r.cur.ts = ts;
    r.lastTs = ts;
    r.results.push(r.cur);
    r.cur = { numFields: 0, numRows: 0, ts, bytes: 0 };
  }
}

function cstr(b: Buffer, from: number): { s: string; next: number } {
  const e = b.indexOf(0, from);
  const stop = e < 0 ? b.length : e;
  return { s: b.toString('utf8', from, stop), next: stop + 1 };
}

function parseError(body: Buffer): PgError {
  const err: PgError = { severity: '', code: '', message: '' };
  let localized = '';
  let p = 0;
  while (p < body.length && body[p] !== 0) {
    const code = body[p] as number;
    const v = cstr(body, p + 1);
    p = v.next;
    if (code === 0x56) err.severity = v.s; // V: non-localized severity
    else if (code === 0x53) localized = v.s;
    else if (code === 0x43) err.code = v.s;
    else if (code === 0x4d) err.message = v.s;
  }
  if (err.severity === '') err.severity = localized;
  return err;
}

function dataRow(body: Buffer): (string | null)[] {
  const n = body.readUInt16BE(0);
  const row: (string | null)[] = [];
  let p = 2;
  for (let i = 0; i < n && p + 4 <= body.length; i++) {
    const len = body.readInt32BE(p);
    p += 4;
    if (len < 0) {
      row.push(null);
      continue;
    }
    row.push(body.toString('utf8', p, Math.min(body.length, p + len)));
    p += len;
  }
  return row;
}
