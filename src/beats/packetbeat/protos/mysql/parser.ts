import { SegmentJoiner } from '../segment-joiner.js';
import {
  CLIENT_DEPRECATE_EOF,
  CLIENT_PROTOCOL_41,
  CLIENT_QUERY_ATTRIBUTES,
  CLIENT_SSL,
  Cursor,
  isEof,
  parseColumnDef,
  parseErr,
  parseOk,
  SERVER_MORE_RESULTS_EXISTS,
  SERVER_STATUS_CURSOR_EXISTS,
  terminatorStatus,
  type ColumnDef,
  type ErrPacket,
} from './packets.js';
import { binaryRow, readParams, tablesOf, textRow } from './rows.js';

/**
 * Incremental MySQL / MariaDB connection parser: bytes of both directions in, completed request/response exchanges
 * out. It frames packets (3-byte length + sequence id, 16 MB continuation packets joined), reads commands
 * (sequence id 0 from the client; everything else the client sends — handshake response, authentication data,
 * LOCAL INFILE contents — is skipped, so passwords never reach an event), and follows each response with a
 * small state machine: OK / ERR, result sets (classic EOF or CLIENT_DEPRECATE_EOF, MariaDB's 2-byte column count
 * with "metadata follows"), prepared statements and binary rows, several results (SERVER_MORE_RESULTS_EXISTS).
 */

export const COM = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  PING: 0x0e,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  RESET_CONNECTION: 0x1f,
} as const;

export const COMMAND_NAMES: Record<number, string> = {
  [COM.INIT_DB]: 'COM_INIT_DB',
  [COM.QUERY]: 'COM_QUERY',
  [COM.STMT_PREPARE]: 'COM_STMT_PREPARE',
  [COM.STMT_EXECUTE]: 'COM_STMT_EXECUTE',
};

/** How the response to a command is shaped. */
type RespKind = 'result' | 'prepare' | 'fieldlist' | 'single' | 'auth' | 'rows';

export interface MysqlRequest {
  ts: number;
  bytes: number;
  command: number;
  kind: RespKind;
  /** Published as a transaction (queries, prepares, executes, USE); other commands only consume their response. */
  report: boolean;
  query?: string | undefined;
  statementId?: number | undefined;
  params?: (string | null)[] | undefined;
  /** An execute of a statement whose prepare response has not been seen yet (pipelined): decoded later. */
  deferred?: Buffer | undefined;
}

/** One result of a response: an OK, an ERR, a result set or a prepare reply. */
export interface MysqlResult {
  kind: 'ok' | 'error' | 'rows' | 'prepare' | 'other';
  affectedRows?: number;
  insertId?: number;
  numFields?: number;
  numRows?: number;
  numParams?: number;
  statementId?: number;
  tables?: string[];
  columns?: string[];
  rows?: (string | null)[][];
  error?: ErrPacket;
  metadataSkipped?: boolean;
}

export interface MysqlExchange {
  req: MysqlRequest;
  results: MysqlResult[];
  /** Capture time of the end of the response; undefined when there is none. */
  responseTs?: number | undefined;
  responseBytes: number;
}

export interface MysqlParserOptions {
  /** Decode up to this many rows per result set (0 = none): only needed for `response`. */
  maxRows: number;
}

interface Stmt {
  query: string;
  numParams: number;
  columns: ColumnDef[];
  paramTypes?: number[];
}

type Phase = 'first' | 'defs' | 'defsEnd' | 'rows' | 'infile' | 'prepParams' | 'prepCols' | 'prepEnd' | 'fieldlist';

interface Resp {
  phase: Phase;
  results: MysqlResult[];
  bytes: number;
  cur: MysqlResult;
  left: number;
  defs: ColumnDef[];
  binary: boolean;
  prepCols: number;
}

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
  readonly #stmts = new Map<number, Stmt>();
  #lastStmt: number | undefined;
  #serverCaps: number | undefined;
  #clientCaps: number | undefined;
  /** The connection switched to TLS or compression: nothing more can be read. */
  #opaque = false;
  /** Per direction: skipping data until a packet boundary (after lost bytes). */
  #resync: [boolean, boolean] = [false, false];
  readonly #opts: MysqlParserOptions;

  constructor(opts: MysqlParserOptions) {
    this.#opts = opts;
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
        if (p.length >= 5) this.#stmts.delete(p.readUInt32LE(1));
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
    if (id === 0xffffffff && this.#lastStmt !== undefined) id = this.#lastStmt; // MariaDB "last prepared"
    req.statementId = id;
    const stmt = this.#stmts.get(id);
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
    if (this.#step(head, resp, p)) this.#complete(ts, out);
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

  /** Advances the response state machine by one packet; true when the response is complete. */
  #step(req: MysqlRequest, r: Resp, p: Buffer): boolean {
    const b0 = p[0];
    switch (r.phase) {
      case 'first':
      case 'infile': {
        if (b0 === 0xff) {
          r.results.push({ kind: 'error', error: parseErr(p) });
          return true;
        }
        if (req.kind === 'auth') {
          if (b0 === 0x00) return true;
          return false; // auth switch / more data
        }
        if (req.kind === 'single' && r.phase === 'first' && b0 !== 0x00) {
          r.results.push({ kind: 'other' });
          return true; // COM_STATISTICS text, EOF of COM_SET_OPTION / COM_DEBUG
        }
        if (b0 === 0x00) {
          if (req.kind === 'prepare') return this.#prepareOk(req, r, p);
          const ok = parseOk(p);
          r.results.push({ kind: 'ok', affectedRows: ok.affectedRows, insertId: ok.insertId });
          return (ok.status & SERVER_MORE_RESULTS_EXISTS) === 0 || this.#nextResult(r);
        }
        if (b0 === 0xfb && r.phase === 'first') {
          r.phase = 'infile'; // LOCAL INFILE request: the client sends the file, then the server answers
          return false;
        }
        if (isEof(p)) {
          r.results.push({ kind: 'other' });
          return true;
        }
        const c = new Cursor(p);
        const n = c.lenencNum();
        if (n <= 0 || n > 4096 || c.left > 1) throw new Error('bad column count');
        const metadata = c.left === 1 ? p[c.pos] !== 0 : true;
        r.cur = { kind: 'rows', numFields: n, numRows: 0, metadataSkipped: !metadata };
        r.defs = [];
        if (metadata) {
          r.phase = 'defs';
          r.left = n;
        } else {
          const stmt = req.statementId !== undefined ? this.#stmts.get(req.statementId) : undefined;
          if (stmt !== undefined && stmt.columns.length === n) r.defs = stmt.columns;
          r.phase = 'defsEnd';
        }
        return false;
      }
      case 'defs': {
        if (b0 === 0xff) return this.#rowsError(r, p);
        r.defs.push(parseColumnDef(p));
        if (--r.left === 0) r.phase = 'defsEnd';
        return false;
      }
      case 'defsEnd': {
        r.phase = 'rows';
        this.#finishDefs(r);
        if (isEof(p)) {
          const deprecate = this.#caps(CLIENT_DEPRECATE_EOF);
          const intermediate = deprecate === undefined ? p.length === 5 : !deprecate;
          // an execute that opened a cursor: no rows now, they come with COM_STMT_FETCH
          if (intermediate && (terminatorStatus(p) & SERVER_STATUS_CURSOR_EXISTS) !== 0) return this.#endRows(r, p);
          if (intermediate) return false;
          return this.#endRows(r, p);
        }
        return this.#rowsStep(r, p);
      }
      case 'rows':
        return this.#rowsStep(r, p);
      case 'fieldlist':
        if (b0 === 0xff) {
          r.results.push({ kind: 'error', error: parseErr(p) });
          return true;
        }
        if (isEof(p)) {
          r.results.push({ kind: 'other' });
          return true;
        }
        return false;
      case 'prepParams':
        if (isEof(p)) return false;
        if (--r.left <= 0) return this.#prepareColumns(r);
        return false;
      case 'prepCols':
        if (isEof(p)) return false;
        r.defs.push(parseColumnDef(p));
        if (--r.left <= 0) return this.#prepareDone(r);
        return false;
      default:
        return true;
    }
  }

  #prepareOk(req: MysqlRequest, r: Resp, p: Buffer): boolean {
    const c = new Cursor(p, 1);
    const id = c.u32();
    const cols = c.u16();
    const params = c.u16();
    r.cur = { kind: 'prepare', statementId: id, numParams: params, numFields: cols };
    r.results.push(r.cur);
    r.defs = [];
    r.prepCols = cols;
    this.#stmts.set(id, { query: req.query ?? '', numParams: params, columns: [] });
    this.#lastStmt = id;
    if (this.#stmts.size > 10000) {
      const first = this.#stmts.keys().next().value;
      if (first !== undefined) this.#stmts.delete(first);
    }
    if (params > 0) {
      r.phase = 'prepParams';
      r.left = params;
      return false;
    }
    return this.#prepareColumns(r);
  }

  #prepareColumns(r: Resp): boolean {
    if (r.prepCols > 0) {
      r.phase = 'prepCols';
      r.left = r.prepCols;
      return false;
    }
    return this.#prepareEnd(r);
  }

  #prepareDone(r: Resp): boolean {
    const id = r.cur.statementId;
    const stmt = id !== undefined ? this.#stmts.get(id) : undefined;
    if (stmt !== undefined) stmt.columns = r.defs;
    r.cur.tables = tablesOf(r.defs);
    return this.#prepareEnd(r);
  }

  /** After the last definition block: an EOF follows unless CLIENT_DEPRECATE_EOF (unknown: wait and see). */
  #prepareEnd(r: Resp): boolean {
    const deprecate = this.#caps(CLIENT_DEPRECATE_EOF);
    const hadBlocks = r.prepCols > 0 || (r.cur.numParams ?? 0) > 0;
    if (!hadBlocks || deprecate === true) return true;
    r.phase = 'prepEnd';
    return false;
  }

  #finishDefs(r: Resp): void {
    // the path names the tables of the column definitions on the wire (none when MariaDB skipped them)
    if (r.cur.metadataSkipped !== true) r.cur.tables = tablesOf(r.defs);
    r.cur.columns = r.defs.map((d) => d.name);
    if (this.#opts.maxRows > 0) r.cur.rows = [];
  }

  #rowsStep(r: Resp, p: Buffer): boolean {
    if (p[0] === 0xff) return this.#rowsError(r, p);
    if (isEof(p)) return this.#endRows(r, p);
    r.cur.numRows = (r.cur.numRows ?? 0) + 1;
    const rows = r.cur.rows;
    if (rows !== undefined && rows.length < this.#opts.maxRows) {
      const n = r.cur.numFields ?? 0;
      try {
        if (r.binary) {
          if (r.defs.length === n) rows.push(binaryRow(p, r.defs));
        } else {
          rows.push(textRow(p, n));
        }
      } catch {
        /* a row that does not decode is counted, not shown */
      }
    }
    return false;
  }

  #rowsError(r: Resp, p: Buffer): boolean {
    r.results.push({ kind: 'error', error: parseErr(p) });
    return true;
  }

  #endRows(r: Resp, p: Buffer): boolean {
    r.results.push(r.cur);
    const status = terminatorStatus(p);
    return (status & SERVER_MORE_RESULTS_EXISTS) === 0 || this.#nextResult(r);
  }

  #nextResult(r: Resp): boolean {
    r.phase = 'first';
    r.cur = { kind: 'other' };
    r.defs = [];
    return false;
  }
}
