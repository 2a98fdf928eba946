import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../libbeat/common/event.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';
import type { ProtocolContext, ProtocolFactory, TcpConnection, TcpProtocol } from '../protocol.js';
import { ExchangeProtocol } from '../exchange-protocol.js';
import { NOTE_NO_RESPONSE, Status, transactionEvent, type Transaction } from '../transaction.js';
import { firstKeyword, redactPasswords, rowsText, splitStatements } from '../mysql/sql-text.js';
import { PgConnParser, type PgExchange, type PgResult } from './parser.js';

export interface PgsqlConfig extends CommonProtocolConfig {
  maxRows: number;
  maxRowLength: number;
}

export function readPgsqlConfig(cfg: ConfigNode): PgsqlConfig {
  return {
    ...readCommonConfig(cfg, [5432]),
    maxRows: cfg.int('max_rows', 10, { min: 0 }),
    maxRowLength: cfg.int('max_row_length', 1024, { min: 0 }),
  };
}


const NOTE_INCOMPLETE = 'ReadyForQuery not seen: response incomplete';

/**
 * Events of one request cycle. A simple Query holding several statements gives one event per statement that got a
 * result (CommandComplete, EmptyQueryResponse or ErrorResponse), in order; an extended cycle gives one event.
 */
export function pgsqlEvents(ex: PgExchange, conn: TcpConnection, cfg: PgsqlConfig, note?: string): BeatEvent[] {
  const { req } = ex;
  if (req.kind === 'silent') return [];
  const answered = ex.results.length > 0 || ex.complete;
  const make = (sql: string | undefined, results: readonly PgResult[], multi?: { index: number; of: number }): BeatEvent => {
    const query = sql !== undefined ? redactPasswords(sql) : undefined;
    const last = results[results.length - 1];
    const responseTs = answered ? (multi !== undefined && last !== undefined ? last.ts : ex.responseTs) : undefined;
    const t: Transaction = {
      type: 'pgsql',
      transport: 'tcp',
      client: conn.client,
      server: conn.server,
      requestTs: req.ts,
      responseTs,
      status: Status.ok,
      method: query !== undefined ? firstKeyword(query) : undefined,
      query,
      bytesIn: req.bytes,
      // statements of one Query message: each gets the bytes of its own result messages
      bytesOut: !answered ? undefined : multi !== undefined && last !== undefined ? last.bytes : ex.responseBytes,
      request: cfg.sendRequest ? query : undefined,
    };
    const pg: Record<string, unknown> = { iserror: false, num_rows: 0, num_fields: 0 };
    if (query !== undefined) pg['query'] = query;
    let rowsResult: PgResult | undefined;
    for (const r of results) {
      pg['num_rows'] = (pg['num_rows'] as number) + r.numRows;
      if (r.numFields > 0) pg['num_fields'] = r.numFields;
      if (r.tag !== undefined) pg['tag'] = r.tag;
      if (r.rows !== undefined) rowsResult ??= r;
      if (r.error !== undefined && pg['iserror'] === false) {
        t.status = Status.error;
        pg['iserror'] = true;
        pg['error_code'] = r.error.code;
        pg['error_message'] = r.error.message;
        pg['error_severity'] = r.error.severity;
        if (cfg.sendResponse) t.response = r.error.message;
      }
    }
    if (cfg.sendResponse && rowsResult?.rows !== undefined && t.response === undefined) {
      t.response = rowsText(rowsResult.columns ?? [], rowsResult.rows, cfg.maxRowLength);
    }
    if (multi !== undefined) pg['multi_statement'] = multi;
    if (req.kind === 'extended') {
      pg['extended_query'] = true;
      pg['executes'] = req.executes;
      pg['messages'] = req.messages;
    }
    if (!answered) {
      t.status = Status.error;
      t.notes = [note ?? NOTE_NO_RESPONSE];
    } else if (!ex.complete) {
      t.notes = [note ?? NOTE_INCOMPLETE];
    }
    t.fields = { pgsql: pg };
    return transactionEvent(t);
  };
  if (req.kind === 'simple' && req.query !== undefined) {
    const stmts = splitStatements(req.query, { dollarQuotes: true });
    if (stmts.length > 1) {
      if (ex.results.length === 0) return [make(req.query, [])];
      return ex.results.map((r, i) => make(stmts[i] ?? req.query, [r], { index: i + 1, of: stmts.length }));
    }
    return [make(stmts[0] ?? req.query, ex.results)];
  }
  return [make(req.query, ex.results)];
}

/** The PostgreSQL protocol plugin: the shared request/response driver around the connection parser. */
export function pgsqlProtocol(cfg: PgsqlConfig, ctx: ProtocolContext): TcpProtocol {
  return new ExchangeProtocol<PgExchange>(
    {
      name: 'pgsql',
      ports: cfg.ports,
      transactionTimeoutMs: cfg.transactionTimeoutMs,
      newParser: () => new PgConnParser({ maxRows: cfg.sendResponse ? cfg.maxRows : 0 }),
      events: (ex, conn, note) => pgsqlEvents(ex, conn, cfg, note),
    },
    ctx,
  );
}

export const createPgsqlProtocol: ProtocolFactory = (cfg, ctx) => pgsqlProtocol(readPgsqlConfig(cfg), ctx);
