import type { BeatEvent } from '../../../libbeat/common/event.js';
import type { Direction, Packet, ProtocolContext, TcpConnection, TcpProtocol } from './protocol.js';
import { NOTE_GAP } from './transaction.js';

/**
 * A per-connection parser that pairs requests with responses itself (MySQL, PostgreSQL): it turns bytes into
 * finished exchanges and keeps the requests still waiting for their response.
 */
export interface ExchangeParser<X> {
  /** Requests waiting for their response. */
  readonly requests: { readonly length: number };
  /** Feeds one segment; finished exchanges are appended to `out`. */
  feed(dir: Direction, ts: number, payload: Buffer, out: X[]): void;
  /** Bytes were lost in `dir`: the exchanges they belonged to, to publish with a note. */
  lostBytes(dir: Direction): X[];
  /** The connection is gone: everything still pending. */
  takePending(): X[];
  /** The oldest waiting request older than `cutoff` (ms), removed, or undefined. */
  expireOlderThan(cutoff: number): X | undefined;
}

interface ConnState<X> {
  conn: TcpConnection;
  parser: ExchangeParser<X>;
}

export interface ExchangeProtocolSpec<X> {
  name: string;
  ports: readonly number[];
  transactionTimeoutMs: number;
  newParser(): ExchangeParser<X>;
  /** The events of one exchange (a multi-statement query gives several); `note` for lost bytes. */
  events(ex: X, conn: TcpConnection, note?: string): BeatEvent[];
}

/**
 * The TcpProtocol around an ExchangeParser: threads the per-connection parser through the engine's calls,
 * publishes finished exchanges and, on `expire`, visits only the connections with requests waiting.
 */
export class ExchangeProtocol<X> implements TcpProtocol<ConnState<X>> {
  readonly name: string;
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly #spec: ExchangeProtocolSpec<X>;
  readonly #ctx: ProtocolContext;
  readonly #waiting = new Set<ConnState<X>>();
  readonly #out: X[] = [];

  constructor(spec: ExchangeProtocolSpec<X>, ctx: ProtocolContext) {
    this.#spec = spec;
    this.#ctx = ctx;
    this.name = spec.name;
    this.ports = spec.ports;
    this.transactionTimeoutMs = spec.transactionTimeoutMs;
  }

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: ConnState<X> | undefined): ConnState<X> | undefined {
    const st = state ?? { conn, parser: this.#spec.newParser() };
    const out = this.#out;
    out.length = 0;
    st.parser.feed(dir, pkt.ts, pkt.payload, out);
    for (const ex of out) this.#publish(ex, conn);
    out.length = 0;
    this.#track(st);
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: ConnState<X> | undefined): ConnState<X> | undefined {
    return state;
  }

  gapInStream(
    conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: ConnState<X> | undefined,
  ): { state: ConnState<X> | undefined; drop: boolean } {
    if (state === undefined) return { state, drop: false };
    // the exchanges the lost bytes belonged to are published with a note; the parser skips data until it is back
    // at a message boundary
    for (const ex of state.parser.lostBytes(dir)) this.#publish(ex, conn, NOTE_GAP);
    this.#track(state);
    return { state, drop: false };
  }

  connectionClosed(conn: TcpConnection, state: ConnState<X> | undefined): void {
    if (state === undefined) return;
    for (const ex of state.parser.takePending()) this.#publish(ex, conn);
    this.#waiting.delete(state);
  }

  expire(nowMs: number): void {
    const cutoff = nowMs - this.transactionTimeoutMs;
    for (const st of this.#waiting) {
      for (let ex = st.parser.expireOlderThan(cutoff); ex; ex = st.parser.expireOlderThan(cutoff)) {
        this.#publish(ex, st.conn);
      }
      this.#track(st);
    }
  }

  #track(st: ConnState<X>): void {
    if (st.parser.requests.length > 0) this.#waiting.add(st);
    else this.#waiting.delete(st);
  }

  #publish(ex: X, conn: TcpConnection, note?: string): void {
    for (const ev of this.#spec.events(ex, conn, note)) this.#ctx.report(ev);
  }
}
