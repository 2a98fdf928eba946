import type { ColumnDef, ErrPacket } from './packets.js';

/** Commands, exchanges and response state of the MySQL parser. */
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
export type RespKind = 'result' | 'prepare' | 'fieldlist' | 'single' | 'auth' | 'rows';

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

export interface Stmt {
  query: string;
  numParams: number;
  columns: ColumnDef[];
  paramTypes?: number[];
}

export type Phase = 'first' | 'defs' | 'defsEnd' | 'rows' | 'infile' | 'prepParams' | 'prepCols' | 'prepEnd' | 'fieldlist';

export interface Resp {
  phase: Phase;
  results: MysqlResult[];
  bytes: number;
  cur: MysqlResult;
  left: number;
  defs: ColumnDef[];
  binary: boolean;
  prepCols: number;
}
