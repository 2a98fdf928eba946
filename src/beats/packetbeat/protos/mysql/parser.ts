import { SegmentJoiner } from '../segment-joiner.js';
import { CLIENT_PROTOCOL_41, CLIENT_QUERY_ATTRIBUTES, CLIENT_SSL, Cursor, isEof } from './packets.js';
import { readParams } from './rows.js';
import { ResponseReader } from './response.js';
import { COM, type MysqlExchange, type MysqlParserOptions, type MysqlRequest, type Resp } from './types.js';

/**
 * Incremental MySQL / MariaDB connection parser: bytes of both directions in, completed request/response exchanges
 * out. It frames packets (3-byte length + sequence id, 16 MB continuation packets joined), reads commands
 * (sequence id 0 from the client; everything else the client sends — handshake response, authentication data,
 * LOCAL INFILE contents — is skipped, so passwords never reach an event), and follows each response with a
 * small state machine: OK / ERR, result sets (classic EOF or CLIENT_DEPRECATE_EOF, MariaDB's 2-byte column count
 * with "metadata follows"), prepared statements and binary rows, several results (SERVER_MORE_RESULTS_EXISTS);
 * that state machine lives in response.ts.
 */


/** Largest packet buffered (bytes); a longer one means the stream is garbage (or a huge blob) and is dropped. */
const MAX_BUFFER = 32 * 1024 * 1024;

interface Stream {
  /** Bytes of an incomplete packet, carried to the next segment. */
  joiner: SegmentJoiner;
  /** Payload of a packet split into 16 MB pieces, waiting for its last piece. */
  big: Buffer[] | undefined;
}

export class MysqlConnParser {
  readonly requests: MysqlRequest[] = [];
  #resp: Resp | undefined;
  readonly #streams: [Stream, Stream] = [
    { joiner: new SegmentJoiner(), big: undefined },
    { joiner: new SegmentJoiner(), big: undefined },
  ];
  #serverCaps: number | undefined;
  #clientCaps: number | undefined;
  /** The connection switched to TLS or compression: nothing more can be read. */
  #opaque = false;
  /** Per direction: skipping data until a packet boundary (after lost bytes). */
  #resync: [boolean, boolean] = [false, false];

  readonly #reader: ResponseReader;

  constructor(opts: MysqlParserOptions) {
    this.#reader = new ResponseReader(opts, (flag) => this.#caps(flag));
  }

  get opaque(): boolean {
    return this.#opaque;
  }

  /** Feeds one segment; completed exchanges are appended to `out`. Never throws. */
  feed(dir: 0 | 1, ts: number, payload: Buffer, out: MysqlExchange[]): void {
    if (this.#opaque || payload.length === 0) return;
    if (this.#resync[dir]) {
      // after lost bytes: wait for a segment that starts a packet (a command / the answer to a new command)
      if (!this.#looksAligned(dir, payload)) return;
      this.#resync[dir] = false;
    }
    const s = this.#streams[dir];
    const data = s.joiner.join(payload);
    let off = 0;
    while (data.length - off >= 4) {
      const len = data.readUIntLE(off, 3);
      if (off + 4 + len > data.length) break;
      const seq = data[off + 3] as number;
      const startTs = s.joiner.startTs(off, ts);
      let body = data.subarray(off + 4, off + 4 + len);
      off += 4 + len;
      if (len === 0xffffff) {
        (s.big ??= []).push(body);
        continue;
      }
      if (s.big !== undefined) {
        s.big.push(body);
        body = Buffer.concat(s.big);
        s.big = undefined;
      }
      try {
        if (dir === 0) this.#clientPacket(seq, body, startTs, body.length + 4);
        else this.#serverPacket(seq, body, ts, body.length + 4, out);
      } catch {
        // a packet that does not decode: forget the response in progress, keep the framing
        this.#abortResponse(ts, out);
      }
      if (this.#opaque) return;
    }
    if (off < data.length) {
      if (data.length - off > MAX_BUFFER || (dir === 1 && this.requests.length === 0)) {
        // too big, or the start of an answer to nothing (the server speaks only when asked): not kept
        s.big = undefined;
        return;
      }
      s.joiner.keep(data, off, ts);
    }
  }

  /**
   * `dir` lost bytes. Server side: the response in progress (the oldest command's) is cut, so that command is
   * returned (to be published with a note) and later commands keep waiting. Client side: commands may be lost,
   * so every waiting command is returned. Buffered bytes go, and the direction's data is skipped until it is back at
   * a packet boundary (a command with sequence id 0; an answer starting with sequence id 1). Prepared statements
   * are kept.
   */
  lostBytes(dir: 0 | 1): MysqlExchange[] {
    const out: MysqlExchange[] = [];
    if (dir === 1) {
      const head = this.requests.shift();
      const resp = this.#resp;
      if (head !== undefined) out.push({ req: head, results: resp?.results ?? [], responseBytes: resp?.bytes ?? 0 });
    } else {
      out.push(...this.takePending());
    }
    this.#resp = undefined;
    for (const d of [0, 1] as const) {
      if (d !== dir && dir === 1) continue;
      this.#streams[d].joiner.clear();
      this.#streams[d].big = undefined;
      this.#resync[d] = true;
    }
    return out;
  }

  #looksAligned(dir: 0 | 1, p: Buffer): boolean {
    if (p.length < 5) return false;
    if (dir === 0) {
      const len = p.readUIntLE(0, 3);
      return p[3] === 0 && len >= 1 && (p[4] as number) <= 0x1f;
    }
    if (this.requests.length === 0 || p[3] !== 1) return false;
    // the packets of the segment must chain with consecutive sequence ids
    let off = 0;
    let seq = 1;
    while (off + 4 <= p.length) {
      if (p[off + 3] !== (seq & 0xff)) return false;
      off += 4 + p.readUIntLE(off, 3);
      seq++;
    }
    return true;
  }

  /** Removes and returns every request still waiting (connection closed / timeout). */
  takePending(): MysqlExchange[] {
    const out: MysqlExchange[] = [];
    const resp = this.#resp;
    this.#resp = undefined;
    for (const [i, req] of this.requests.entries()) {
      if (i === 0 && resp !== undefined) out.push({ req, results: resp.results, responseBytes: resp.bytes });
      else out.push({ req, results: [], responseBytes: 0 });
    }
    this.requests.length = 0;
    return out;
  }

  /** Removes the oldest request if it started before `cutoff` (transaction timeout). */
  expireOlderThan(cutoff: number): MysqlExchange | undefined {
    const head = this.requests[0];
    if (head === undefined || head.ts >= cutoff) return undefined;
    this.requests.shift();
    const resp = this.#resp;
    this.#resp = undefined;
    return { req: head, results: resp?.results ?? [], responseBytes: resp?.bytes ?? 0 };
  }

  #abortResponse(ts: number, out: MysqlExchange[]): void {
    const head = this.requests[0];
    const resp = this.#resp;
    this.#resp = undefined;
    if (head !== undefined && resp !== undefined) {
      this.requests.shift();
      out.push({ req: head, results: resp.results, responseTs: ts, responseBytes: resp.bytes });
    }
  }

  // ---- client side ----

  #clientPacket(seq: number, p: Buffer, ts: number, size: number): void {
    if (seq !== 0) {
      if (seq === 1 && this.#serverCaps !== undefined && this.#clientCaps === undefined && p.length >= 4) {
        this.#handshakeResponse(p);
      }
      return; // authentication data, LOCAL INFILE contents
    }
    if (p.length === 0) return;
    const cmd = p[0] as number;
    const req: MysqlRequest = { ts, bytes: size, command: cmd, kind: 'single', report: false };
    switch (cmd) {
      case COM.QUERY:
        req.kind = 'result';
        req.report = true;
        req.query = this.#queryText(p);
        break;
      case COM.STMT_PREPARE:
        req.kind = 'prepare';
        req.report = true;
        req.query = p.toString('utf8', 1);
        break;
      case COM.STMT_EXECUTE:
        req.kind = 'result';
        req.report = true;
        if (!this.#execute(p, req) && this.requests.some((r) => r.command === COM.STMT_PREPARE)) {
          req.deferred = Buffer.from(p); // MariaDB clients send prepare + execute(-1) before any answer
        }
        break;
      case COM.INIT_DB:
        req.report = true;
        req.query = `USE ${p.toString('utf8', 1)}`;
        break;
      case COM.FIELD_LIST:
        req.kind = 'fieldlist';
        break;
      case COM.STMT_FETCH:
        req.kind = 'rows';
        break;
      case COM.CHANGE_USER:
        req.kind = 'auth';
        break;
      case COM.STMT_CLOSE:
        if (p.length >= 5) this.#reader.stmts.delete(p.readUInt32LE(1));
        return;
      case COM.QUIT:
      case COM.STMT_SEND_LONG_DATA:
        return; // no response
      case COM.PROCESS_INFO:
        req.kind = 'result';
        break;
      case COM.STATISTICS:
      case COM.PING:
      case COM.STMT_RESET:
      case COM.SET_OPTION:
      case COM.RESET_CONNECTION:
      case 0x05: // create db
      case 0x06: // drop db
      case 0x07: // refresh
      case 0x08: // shutdown
      case 0x0c: // process kill
      case 0x0d: // debug
        break;
      default:
        return; // replication or unknown command: no transaction
    }
    if (this.requests.length >= 1000) this.requests.shift(); // a client that never gets answers
    this.requests.push(req);
  }

  #handshakeResponse(p: Buffer): void {
    const c = new Cursor(p);
    let caps = c.u16();
    if (caps & CLIENT_PROTOCOL_41 && c.left >= 2) caps = (caps | (c.u16() << 16)) >>> 0;
    this.#clientCaps = caps;
    if (caps & CLIENT_SSL && p.length <= 36) this.#opaque = true; // SSLRequest: TLS follows
    if (caps & 0x20 && (this.#serverCaps ?? 0) & 0x20) this.#opaque = true; // CLIENT_COMPRESS
  }

  #caps(flag: number): boolean | undefined {
    if (this.#serverCaps === undefined || this.#clientCaps === undefined) return undefined;
    return (this.#serverCaps & this.#clientCaps & flag) !== 0;
  }

  #queryText(p: Buffer): string {
    if (this.#caps(CLIENT_QUERY_ATTRIBUTES) === true) {
      try {
        const c = new Cursor(p, 1);
        const n = c.lenencNum();
        c.lenencNum(); // parameter set count (1)
        if (n > 0) readParams(c, n, undefined, true);
        return c.rest();
      } catch {
        return p.toString('utf8', 1);
      }
    }
    return p.toString('utf8', 1);
  }

  /** Decodes COM_STMT_EXECUTE; false when the statement is not known (yet). */
  #execute(p: Buffer, req: MysqlRequest): boolean {
    const c = new Cursor(p, 1);
    let id = c.u32();
    if (id === 0xffffffff && this.#reader.lastStmt !== undefined) id = this.#reader.lastStmt; // MariaDB "last prepared"
    req.statementId = id;
    const stmt = this.#reader.stmts.get(id);
    if (stmt === undefined && (id === 0xffffffff || this.requests.some((r) => r.command === COM.STMT_PREPARE))) return false;
    req.query = stmt?.query;
    const flags = c.u8();
    c.skip(4); // iteration count
    let n = stmt?.numParams;
    if (flags & 0x08) n = c.lenencNum(); // PARAMETER_COUNT_AVAILABLE (query attributes)
    if (n === undefined || n === 0 || c.left === 0) return true;
    try {
      const r = readParams(c, n, stmt?.paramTypes, false);
      if (stmt !== undefined && r.types !== undefined) stmt.paramTypes = r.types;
      req.params = r.values;
    } catch {
      /* parameters that do not decode are left out */
    }
    return true;
  }

  // ---- server side ----

  #serverPacket(seq: number, p: Buffer, ts: number, size: number, out: MysqlExchange[]): void {
    const head = this.requests[0];
    if (head === undefined) {
      if (seq === 0 && p[0] === 0x0a) this.#handshake(p);
      return; // unsolicited (handshake, auth exchange, or capture started mid-response)
    }
    let resp = this.#resp;
    if (resp === undefined) {
      if (head.deferred !== undefined) {
        const raw = head.deferred;
        head.deferred = undefined;
        try {
          this.#execute(raw, head);
        } catch {
          /* statement id and parameters stay unknown */
        }
      }
      resp = {
        phase: 'first',
        results: [],
        bytes: 0,
        cur: { kind: 'other' },
        left: 0,
        defs: [],
        binary: head.command === COM.STMT_EXECUTE || head.command === COM.STMT_FETCH,
        prepCols: 0,
      };
      if (head.kind === 'fieldlist') resp.phase = 'fieldlist';
      if (head.kind === 'rows') {
        resp.phase = 'rows';
        resp.cur = { kind: 'rows', numRows: 0 };
      }
      this.#resp = resp;
    }
    if (resp.phase === 'prepEnd') {
      if (isEof(p)) {
        resp.bytes += size;
        this.#complete(ts, out);
        return;
      }
      this.#complete(ts, out);
      this.#serverPacket(seq, p, ts, size, out);
      return;
    }
    resp.bytes += size;
    if (this.#reader.step(head, resp, p)) this.#complete(ts, out);
  }

  #handshake(p: Buffer): void {
    const c = new Cursor(p, 1);
    c.cstr(); // server version
    c.skip(4 + 8 + 1); // thread id, scramble part 1, filler
    let caps = c.u16();
    if (c.left >= 5) {
      c.skip(3); // charset, status
      caps = (caps | (c.u16() << 16)) >>> 0;
    }
    this.#serverCaps = caps;
    this.#clientCaps = undefined;
  }

  #complete(ts: number, out: MysqlExchange[]): void {
    const req = this.requests.shift();
    const resp = this.#resp;
    this.#resp = undefined;
    if (req === undefined || resp === undefined) return;
    out.push({ req, results: resp.results, responseTs: ts, responseBytes: resp.bytes });
  }

}
