import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import type { Direction, Packet, ProtocolContext, ProtocolFactory, TcpConnection, TcpProtocol } from '../protocol.js';
import { transactionEvent } from '../transaction.js';
import { MAX_KEPT_BODY, MAX_KEPT_FORM, readHttpConfig, type HttpConfig } from './config.js';
import { bodyToKeep, httpTransaction } from './event.js';
import type { HttpMessage } from './message.js';
import { HttpParser, type BodyPolicy } from './parser.js';

/** Requests waiting for responses on one connection beyond this are published as unmatched (bounded memory). */
export const MAX_PENDING_REQUESTS = 1000;

/** Per-connection state: one parser per direction and the requests waiting for their response (FIFO). */
export interface HttpConnState {
  readonly conn: TcpConnection;
  readonly parsers: readonly [HttpParser, HttpParser];
  readonly pending: HttpMessage[];
  /** Methods of requests that expired before their response: those responses are dropped when they come. */
  readonly expired: string[];
  /** After `101 Switching Protocols` or a successful CONNECT the connection no longer speaks HTTP. */
  upgraded: boolean;
  policy: BodyPolicy | undefined;
}

/**
 * The HTTP plugin: parses both directions of each connection and pairs responses with requests in order (HTTP/1.x
 * answers requests in the order they were sent, pipelined or not).
 */
export class HttpProtocol implements TcpProtocol<HttpConnState> {
  readonly name = 'http';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly config: HttpConfig;
  readonly #ctx: ProtocolContext;
  /** States that have requests waiting, for `expire`. */
  readonly #waiting = new Set<HttpConnState>();
  readonly #out: HttpMessage[] = [];

  constructor(config: HttpConfig, ctx: ProtocolContext) {
    this.config = config;
    this.ports = config.ports;
    this.transactionTimeoutMs = config.transactionTimeoutMs;
    this.#ctx = ctx;
  }

  #policy(st: HttpConnState): BodyPolicy {
    const cfg = this.config;
    return {
      noBody: (m) => !m.isRequest && this.#answeredMethod(st) === 'HEAD',
      keepBody: (m) => bodyToKeep(m, cfg, MAX_KEPT_BODY, MAX_KEPT_FORM),
    };
  }

  /**
   * The method of the request the response being parsed answers: responses completed earlier in the same segment
   * are still in `#out` (not yet paired), so they are skipped over.
   */
  #answeredMethod(st: HttpConnState): string | undefined {
    let k = 0;
    for (const m of this.#out) if (!m.isRequest && !isInterim(m.code)) k++;
    if (k < st.expired.length) return st.expired[k];
    return st.pending[k - st.expired.length]?.method;
  }

  #newState(conn: TcpConnection): HttpConnState {
    const st: HttpConnState = {
      conn,
      parsers: [new HttpParser(true), new HttpParser(false)],
      pending: [],
      expired: [],
      upgraded: false,
      policy: undefined,
    };
    st.policy = this.#policy(st);
    return st;
  }

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: HttpConnState | undefined): HttpConnState {
    const st = state ?? this.#newState(conn);
    if (st.upgraded) return st;
    const out = this.#out;
    out.length = 0;
    st.parsers[dir].feed(pkt.payload, pkt.ts, st.policy ?? this.#policy(st), out);
    this.#handle(st, out);
    return st;
  }

  receivedFin(_conn: TcpConnection, dir: Direction, state: HttpConnState | undefined): HttpConnState | undefined {
    if (state === undefined || state.upgraded) return state;
    const out = this.#out;
    out.length = 0;
    state.parsers[dir].fin(this.#ctx.now(), out);
    this.#handle(state, out);
    return state;
  }

  gapInStream(
    conn: TcpConnection,
    dir: Direction,
    nbytes: number,
    state: HttpConnState | undefined,
  ): { state: HttpConnState | undefined; drop: boolean } {
    if (state === undefined || state.upgraded) return { state, drop: false };
    const out = this.#out;
    out.length = 0;
    const saved = state.parsers[dir].gap(nbytes, out);
    this.#handle(state, out);
    if (!saved && this.#ctx.log.isDebug) this.#ctx.log.debug('Gap of %d bytes in HTTP stream %d dir %d.', nbytes, conn.id, dir);
    return { state, drop: false };
  }

  connectionClosed(_conn: TcpConnection, state: HttpConnState | undefined): void {
    if (state === undefined) return;
    const out = this.#out;
    if (!state.upgraded) {
      // A response delimited by the close may still be in its parser.
      out.length = 0;
      const now = this.#ctx.now();
      state.parsers[0].fin(now, out);
      state.parsers[1].fin(now, out);
      this.#handle(state, out);
    }
    for (const req of state.pending.splice(0)) this.#publish(req, undefined, state);
    this.#waiting.delete(state);
  }

  expire(nowMs: number): void {
    for (const st of this.#waiting) {
      // A response that is still arriving keeps its request alive.
      if (st.parsers[1].inMessage) continue;
      while (st.pending.length > 0 && nowMs - (st.pending[0] as HttpMessage).endTs > this.transactionTimeoutMs) {
        const req = st.pending.shift() as HttpMessage;
        st.expired.push(req.method);
        if (st.expired.length > MAX_PENDING_REQUESTS) st.expired.shift();
        this.#publish(req, undefined, st);
      }
      if (st.pending.length === 0) this.#waiting.delete(st);
    }
  }

  #handle(st: HttpConnState, msgs: HttpMessage[]): void {
    for (let i = 0; i < msgs.length; i++) {
      const m = msgs[i] as HttpMessage;
      if (m.isRequest) {
        st.pending.push(m);
        if (st.pending.length === 1) this.#waiting.add(st);
        if (st.pending.length > MAX_PENDING_REQUESTS) this.#publish(st.pending.shift() as HttpMessage, undefined, st);
        continue;
      }
      if (isInterim(m.code)) continue; // interim (100 Continue, 103 Early Hints)
      if (st.expired.length > 0) {
        st.expired.shift();
        continue;
      }
      const req = st.pending.shift();
      if (st.pending.length === 0) this.#waiting.delete(st);
      this.#publish(req, m, st);
      // After a protocol switch or an established CONNECT tunnel the bytes are no longer HTTP.
      if (m.code === 101 || (req?.method === 'CONNECT' && m.code >= 200 && m.code < 300)) {
        st.upgraded = true;
        st.parsers[0].reset();
        st.parsers[1].reset();
        for (const r of st.pending.splice(0)) this.#publish(r, undefined, st);
        this.#waiting.delete(st);
        return;
      }
    }
  }

  #publish(req: HttpMessage | undefined, resp: HttpMessage | undefined, st: HttpConnState): void {
    this.#ctx.report(transactionEvent(httpTransaction(req, resp, st.conn, this.config)));
  }
}

/** 1xx responses other than 101 precede the final response to the same request. */
function isInterim(code: number): boolean {
  return code >= 100 && code < 200 && code !== 101;
}

export const createHttpProtocol: ProtocolFactory = (cfg: ConfigNode, ctx: ProtocolContext) =>
  new HttpProtocol(readHttpConfig(cfg), ctx);
