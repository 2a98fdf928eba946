import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../libbeat/common/event.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';
import type { Direction, Packet, ProtocolContext, ProtocolFactory, TcpConnection, TcpProtocol } from '../protocol.js';
import { NOTE_NO_RESPONSE, Status, transactionEvent, type Transaction } from '../transaction.js';
import { MongoConnParser } from './parser.js';
import { OPCODE_NAMES, type MongoExchange } from './types.js';

export interface MongodbConfig extends CommonProtocolConfig {
  /** Documents of a reply included in `response` (0 = all). */
  maxDocs: number;
  /** Characters of each document in `response` and of the query text (0 = unlimited). */
  maxDocLength: number;
}

export function readMongodbConfig(cfg: ConfigNode): MongodbConfig {
  return {
    ...readCommonConfig(cfg, [27017]),
    maxDocs: cfg.int('max_docs', 10, { min: 0 }),
    maxDocLength: cfg.int('max_doc_length', 5000, { min: 0 }),
  };
}

interface ConnState {
  conn: TcpConnection;
  parser: MongoConnParser;
}

function cut(s: string, max: number): string {
  return max > 0 && s.length > max ? `${s.slice(0, max)}...` : s;
}

/** The event of one request (with its reply, or alone for requests that get none). */
export function mongodbEvent(ex: MongoExchange, conn: TcpConnection, cfg: MongodbConfig, note?: string): BeatEvent {
  const { req, reply } = ex;
  const t: Transaction = {
    type: 'mongodb',
    transport: 'tcp',
    client: conn.client,
    server: conn.server,
    requestTs: req.ts,
    responseTs: reply?.ts,
    status: Status.ok,
    method: req.method,
    path: req.collection,
    query: req.query,
    bytesIn: req.bytes,
    bytesOut: reply?.bytes,
    request: cfg.sendRequest ? req.query : undefined,
  };
  const m: Record<string, unknown> = { opcode: OPCODE_NAMES[req.opCode] ?? String(req.opCode), ...req.fields };
  const notes: string[] = [];
  if (req.note !== undefined) notes.push(req.note);
  if (reply !== undefined) {
    Object.assign(m, reply.fields);
    if (reply.error !== undefined) {
      t.status = Status.error;
      m['error'] = reply.error;
    }
    if (cfg.sendResponse) {
      t.response = reply.docs.map((d) => cut(JSON.stringify(d), cfg.maxDocLength)).join('\n');
    }
  } else if (req.expectsReply) {
    t.status = Status.error;
    notes.push(note ?? NOTE_NO_RESPONSE);
  }
  if (notes.length > 0) t.notes = notes;
  t.fields = { mongodb: m };
  if (req.collection !== undefined) t.fields['resource'] = req.collection;
  return transactionEvent(t);
}

/** The MongoDB protocol plugin. */
export class MongodbProtocol implements TcpProtocol<ConnState> {
  readonly name = 'mongodb';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly #cfg: MongodbConfig;
  readonly #ctx: ProtocolContext;
  readonly #waiting = new Set<ConnState>();
  readonly #out: MongoExchange[] = [];

  constructor(cfg: MongodbConfig, ctx: ProtocolContext) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.ports = cfg.ports;
    this.transactionTimeoutMs = cfg.transactionTimeoutMs;
  }

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: ConnState | undefined): ConnState | undefined {
    const st = state ?? { conn, parser: new MongoConnParser({
        maxDocLength: this.#cfg.maxDocLength,
        maxDocs: !this.#cfg.sendResponse ? 0 : this.#cfg.maxDocs === 0 ? -1 : this.#cfg.maxDocs,
      }) };
    const out = this.#out;
    out.length = 0;
    st.parser.feed(dir, pkt.ts, pkt.payload, out);
    for (const ex of out) this.#ctx.report(mongodbEvent(ex, conn, this.#cfg));
    out.length = 0;
    if (st.parser.pending.size > 0) this.#waiting.add(st);
    else this.#waiting.delete(st);
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: ConnState | undefined): ConnState | undefined {
    return state;
  }

  gapInStream(
    _conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: ConnState | undefined,
  ): { state: ConnState | undefined; drop: boolean } {
    if (state === undefined) return { state, drop: false };
    // requests are matched by id, so only the stream with the hole is affected: its data is skipped until a
    // segment starts with a message header
    state.parser.lostBytes(dir);
    return { state, drop: false };
  }

  connectionClosed(conn: TcpConnection, state: ConnState | undefined): void {
    if (state === undefined) return;
    for (const ex of state.parser.takePending()) this.#ctx.report(mongodbEvent(ex, conn, this.#cfg));
    this.#waiting.delete(state);
  }

  expire(nowMs: number): void {
    const cutoff = nowMs - this.transactionTimeoutMs;
    for (const st of this.#waiting) {
      for (const ex of st.parser.expireOlderThan(cutoff)) this.#ctx.report(mongodbEvent(ex, st.conn, this.#cfg));
      if (st.parser.pending.size === 0) this.#waiting.delete(st);
    }
  }
}

export const createMongodbProtocol: ProtocolFactory = (cfg, ctx) => new MongodbProtocol(readMongodbConfig(cfg), ctx);
