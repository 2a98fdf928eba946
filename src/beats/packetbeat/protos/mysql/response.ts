import {
  CLIENT_DEPRECATE_EOF,
  Cursor,
  isEof,
  parseColumnDef,
  parseErr,
  parseOk,
  SERVER_MORE_RESULTS_EXISTS,
  SERVER_STATUS_CURSOR_EXISTS,
  terminatorStatus,
} from './packets.js';
import { binaryRow, tablesOf, textRow } from './rows.js';
import type { MysqlParserOptions, MysqlRequest, Resp, Stmt } from './types.js';

/**
 * The server side of a MySQL exchange: one packet at a time through OK / ERR, result sets (classic EOF or
 * CLIENT_DEPRECATE_EOF, MariaDB's "metadata follows"), prepare responses and text or binary rows. It also keeps the
 * connection's prepared statements, which executes and their binary rows need.
 */
export class ResponseReader {
  /** Prepared statements of the connection by id (the oldest dropped past 10,000). */
  readonly stmts = new Map<number, Stmt>();
  /** Id of the last statement prepared (MariaDB's "execute the last prepared" id 0xffffffff). */
  lastStmt: number | undefined;
  readonly #opts: MysqlParserOptions;
  readonly #caps: (flag: number) => boolean | undefined;

  constructor(opts: MysqlParserOptions, caps: (flag: number) => boolean | undefined) {
    this.#opts = opts;
    this.#caps = caps;
  }

  /** Advances the response state machine by one packet; true when the response is complete. */
  step(req: MysqlRequest, r: Resp, p: Buffer): boolean {
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
          const stmt = req.statementId !== undefined ? this.stmts.get(req.statementId) : undefined;
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
    this.stmts.set(id, { query: req.query ?? '', numParams: params, columns: [] });
    this.lastStmt = id;
    if (this.stmts.size > 10000) {
      const first = this.stmts.keys().next().value;
      if (first !== undefined) this.stmts.delete(first);
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
    const stmt = id !== undefined ? this.stmts.get(id) : undefined;
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
