import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../libbeat/common/event.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';
import type { ProtocolContext, ProtocolFactory, TcpConnection, TcpProtocol } from '../protocol.js';
import { ExchangeProtocol } from '../exchange-protocol.js';
import { NOTE_NO_RESPONSE, Status, transactionEvent, type Transaction } from '../transaction.js';
import { MysqlConnParser } from './parser.js';
import { COMMAND_NAMES, type MysqlExchange, type MysqlResult } from './types.js';
import { firstKeyword, redactPasswords, rowsText, splitStatements } from './sql-text.js';

export interface MysqlConfig extends CommonProtocolConfig {
  /** Rows of a result set included in `response` (with send_response). */
  maxRows: number;
  /** Characters of each row included in `response`. */
  maxRowLength: number;
}

export function readMysqlConfig(cfg: ConfigNode): MysqlConfig {
  return {
    ...readCommonConfig(cfg, [3306]),
    maxRows: cfg.int('max_rows', 10, { min: 0 }),
    maxRowLength: cfg.int('max_row_length', 1024, { min: 0 }),
  };
}



/** Builds the events of one finished (or abandoned) exchange. */
export function mysqlEvents(ex: MysqlExchange, conn: TcpConnection, cfg: MysqlConfig, note?: string): BeatEvent[] {
  const { req, results } = ex;
  if (!req.report) return [];
  const base = (sql: string | undefined): Transaction => {
    const query = sql !== undefined ? redactPasswords(sql) : undefined;
    return {
      type: 'mysql',
      transport: 'tcp',
      client: conn.client,
      server: conn.server,
      requestTs: req.ts,
      responseTs: ex.responseTs,
      status: Status.ok,
      method: (query !== undefined ? firstKeyword(query) : undefined) ?? COMMAND_NAMES[req.command],
      query,
      bytesIn: req.bytes,
      bytesOut: ex.responseTs !== undefined ? ex.responseBytes : undefined,
      request: cfg.sendRequest ? query : undefined,
    };
  };
  // one COM_QUERY holding several statements, answered by one result each: one transaction per statement
  if (results.length > 1 && req.query !== undefined) {
    const stmts = splitStatements(req.query, { hashComments: true, backslashEscapes: true });
    if (stmts.length === results.length) {
      return results.map((r, i) => {
        const t = base(stmts[i]);
        fill(t, req.command, [r], cfg, ex, note);
        const m = t.fields?.['mysql'] as Record<string, unknown>;
        m['multi_statement'] = { index: i + 1, of: stmts.length };
        return transactionEvent(t);
      });
    }
  }
  const t = base(req.query);
  fill(t, req.command, results, cfg, ex, note);
  const m = t.fields?.['mysql'] as Record<string, unknown>;
  if (req.statementId !== undefined) m['statement_id'] = req.statementId;
  if (req.params !== undefined) m['params'] = req.params;
  return [transactionEvent(t)];
}

function fill(
  t: Transaction,
  command: number,
  results: readonly MysqlResult[],
  cfg: MysqlConfig,
  ex: MysqlExchange,
  note: string | undefined,
): void {
  const m: Record<string, unknown> = {
    command: COMMAND_NAMES[command],
    iserror: false,
    affected_rows: 0,
    insert_id: 0,
    num_rows: 0,
    num_fields: 0,
  };
  if (t.query !== undefined) m['query'] = t.query;
  t.fields = { mysql: m };
  if (ex.responseTs === undefined) {
    t.status = Status.error;
    t.notes = [note ?? NOTE_NO_RESPONSE];
    return;
  }
  if (note !== undefined) t.notes = [note];
  let affected = 0;
  let insertId = 0;
  let rowsResult: MysqlResult | undefined;
  for (const r of results) {
    if (r.kind === 'error' && r.error !== undefined) {
      t.status = Status.error;
      m['iserror'] = true;
      m['error_code'] = r.error.code;
      m['error_message'] = r.error.message;
      if (r.error.sqlState !== undefined) m['sql_state'] = r.error.sqlState;
      if (cfg.sendResponse) t.response = r.error.message;
    } else if (r.kind === 'ok') {
      affected += r.affectedRows ?? 0;
      if (r.insertId) insertId = r.insertId;
    } else if (r.kind === 'prepare') {
      m['statement_id'] = r.statementId;
      m['num_params'] = r.numParams;
      m['num_fields'] = r.numFields;
      if (r.tables !== undefined && r.tables.length > 0) t.path = r.tables.join(', ');
    } else if (r.kind === 'rows') {
      rowsResult ??= r;
    }
  }
  m['affected_rows'] = affected;
  m['insert_id'] = insertId;
  if (rowsResult !== undefined) {
    m['num_fields'] = rowsResult.numFields ?? 0;
    m['num_rows'] = rowsResult.numRows ?? 0;
    if (rowsResult.tables !== undefined && rowsResult.tables.length > 0) t.path = rowsResult.tables.join(', ');
    if (cfg.sendResponse && rowsResult.rows !== undefined) {
      t.response = rowsText(rowsResult.columns ?? [], rowsResult.rows, cfg.maxRowLength);
    }
  }
}

/** The MySQL / MariaDB protocol plugin: the shared request/response driver around the connection parser. */
export function mysqlProtocol(cfg: MysqlConfig, ctx: ProtocolContext): TcpProtocol {
  return new ExchangeProtocol<MysqlExchange>(
    {
      name: 'mysql',
      ports: cfg.ports,
      transactionTimeoutMs: cfg.transactionTimeoutMs,
      newParser: () => new MysqlConnParser({ maxRows: cfg.sendResponse ? cfg.maxRows : 0 }),
      events: (ex, conn, note) => mysqlEvents(ex, conn, cfg, note),
    },
    ctx,
  );
}

export const createMysqlProtocol: ProtocolFactory = (cfg, ctx) => mysqlProtocol(readMysqlConfig(cfg), ctx);
