import type { Direction, Packet, ProtocolContext, TcpConnection, TcpProtocol } from '../protocol.js';
import { resyncAfterGap, resyncOnError } from '../stream-resync.js';
import { NOTE_GAP, NOTE_NO_RESPONSE, Status, transactionEvent } from '../transaction.js';
import { ThriftStream } from './binary-parser.js';
import type { ThriftConfig } from './config.js';
import type { BodyPlan, ThriftMessage } from './message.js';
import { MESSAGE_TYPE_NAMES, MessageType, type IdlField, type IdlMethod } from './types.js';

export const MAX_PENDING = 10_000;

/** TApplicationException's fields, so EXCEPTION messages read `(message: "...", type: 1)`. */
const APP_EXCEPTION = new Map<number, IdlField>([
  [1, { id: 1, name: 'message', type: { kind: 'base', name: 'string' } }],
  [2, { id: 2, name: 'type', type: { kind: 'base', name: 'i32' } }],
]);

export interface ThriftConnState {
  conn: TcpConnection;
  streams: [ThriftStream, ThriftStream];
  pending: ThriftMessage[];
}

/** The Thrift-RPC plugin: binary protocol calls paired in order with their replies (sequence ids may repeat). */
export class ThriftProtocol implements TcpProtocol<ThriftConnState> {
  readonly name = 'thrift';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly #cfg: ThriftConfig;
  readonly #ctx: ProtocolContext;
  readonly #waiting = new Set<ThriftConnState>();
  readonly #plan = (name: string, type: number): BodyPlan => this.#bodyPlan(name, type);

  /** The IDL method of a message name; multiplexed names (`Service:method`) are looked up by their method part. */
  #method(name: string): IdlMethod | undefined {
    const m = this.#cfg.idl.methods.get(name);
    if (m !== undefined) return m;
    const colon = name.indexOf(':');
    return colon < 0 ? undefined : this.#cfg.idl.methods.get(name.slice(colon + 1));
  }

  constructor(cfg: ThriftConfig, ctx: ProtocolContext) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.ports = cfg.ports;
    this.transactionTimeoutMs = cfg.transactionTimeoutMs;
  }

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: ThriftConnState | undefined): ThriftConnState | undefined {
    const st = state ?? this.#newState(conn);
    const s = st.streams[dir];
    for (const m of s.feed(pkt.payload, pkt.ts)) {
      if (m.type === MessageType.CALL || m.type === MessageType.ONEWAY) this.#call(st, m);
      else this.#reply(st, m);
    }
    if (resyncOnError(this.#ctx.log, 'thrift', s, dir)) this.#flush(st, 'Unparseable response');
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: ThriftConnState | undefined): ThriftConnState | undefined {
    return state;
  }

  gapInStream(
    _conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: ThriftConnState | undefined,
  ): { state: ThriftConnState | undefined; drop: boolean } {
    if (state !== undefined && resyncAfterGap(state.streams, dir)) this.#flush(state, NOTE_GAP);
    return { state, drop: false };
  }

  connectionClosed(_conn: TcpConnection, state: ThriftConnState | undefined): void {
    if (state !== undefined) this.#flush(state, NOTE_NO_RESPONSE);
  }

  expire(nowMs: number): void {
    for (const st of this.#waiting) {
      while (st.pending.length > 0 && st.pending[0]!.ts + this.transactionTimeoutMs <= nowMs)
        this.#publish(st, st.pending.shift()!, undefined, NOTE_NO_RESPONSE);
      if (st.pending.length === 0) this.#waiting.delete(st);
    }
  }

  #newState(conn: TcpConnection): ThriftConnState {
    const mk = (): ThriftStream => new ThriftStream(this.#cfg, this.#plan, this.#cfg.framed);
    return { conn, streams: [mk(), mk()], pending: [] };
  }

  /** Plans per method and message type, computed once (the IDL does not change). */
  readonly #plans = new Map<string, BodyPlan>();

  #bodyPlan(name: string, type: number): BodyPlan {
    const key = `${type}:${name}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = this.#makePlan(name, type);
      if (this.#plans.size < 10_000) this.#plans.set(key, plan);
    }
    return plan;
  }

  #makePlan(name: string, type: number): BodyPlan {
    const m = this.#method(name);
    if (type === MessageType.CALL || type === MessageType.ONEWAY) return { names: m?.params, render: true };
    if (type === MessageType.EXCEPTION) return { names: APP_EXCEPTION, render: this.#cfg.captureReply };
    let names: Map<number, IdlField> | undefined;
    if (m !== undefined) {
      names = new Map(m.throws);
      names.set(0, { id: 0, name: 'return', type: m.returns });
    }
    return { names, render: this.#cfg.captureReply };
  }

  #call(st: ThriftConnState, m: ThriftMessage): void {
    const oneway = m.type === MessageType.ONEWAY || this.#method(m.name)?.oneway === true;
    if (oneway) {
      this.#publish(st, m, undefined);
      return;
    }
    if (st.pending.length >= MAX_PENDING) this.#publish(st, st.pending.shift()!, undefined, NOTE_NO_RESPONSE);
    st.pending.push(m);
    this.#waiting.add(st);
  }

  #reply(st: ThriftConnState, r: ThriftMessage): void {
    // In order, but skip calls that were never answered (a reply for a later call with this name and id).
    const idx = st.pending.findIndex((c) => c.name === r.name && c.seqId === r.seqId);
    if (idx < 0) {
      this.#ctx.log.debug(`thrift: reply to ${r.name} without a call; ignored`);
      return;
    }
    for (let i = 0; i < idx; i++) this.#publish(st, st.pending[i]!, undefined, NOTE_NO_RESPONSE);
    const call = st.pending[idx]!;
    st.pending.splice(0, idx + 1);
    if (st.pending.length === 0) this.#waiting.delete(st);
    this.#publish(st, call, r);
  }

  #flush(st: ThriftConnState, note: string): void {
    for (const c of st.pending) this.#publish(st, c, undefined, note);
    st.pending = [];
    this.#waiting.delete(st);
  }

  #publish(st: ThriftConnState, call: ThriftMessage, reply: ThriftMessage | undefined, note?: string): void {
    if (call.dropped || reply?.dropped) return; // drop_after_n_struct_fields: the whole transaction is ignored
    const oneway = call.type === MessageType.ONEWAY || this.#method(call.name)?.oneway === true;
    const thrift: Record<string, unknown> = {};
    const params = call.text ?? '()';
    thrift['params'] = params;
    const colon = call.name.indexOf(':');
    const service = this.#method(call.name)?.service ?? (colon > 0 ? call.name.slice(0, colon) : undefined);
    if (service !== undefined) thrift['service'] = service;
    thrift['message_type'] = MESSAGE_TYPE_NAMES[call.type];
    let status: (typeof Status)[keyof typeof Status] = oneway ? Status.ok : Status.error;
    if (reply !== undefined) {
      thrift['reply_type'] = MESSAGE_TYPE_NAMES[reply.type];
      const exception = reply.type === MessageType.EXCEPTION || reply.fields.some((f) => f.id !== 0);
      status = exception ? Status.error : Status.ok;
      if (this.#cfg.captureReply) {
        if (exception) thrift['exceptions'] = reply.text;
        else {
          const ret = reply.fields.find((f) => f.id === 0);
          if (ret?.text !== undefined) thrift['return_value'] = ret.text;
        }
      }
    }
    const query = `${call.name}${params}`;
    this.#ctx.report(
      transactionEvent({
        type: 'thrift',
        transport: 'tcp',
        client: st.conn.client,
        server: st.conn.server,
        requestTs: call.ts,
        responseTs: reply?.endTs,
        status,
        method: call.name,
        path: service,
        query,
        bytesIn: call.bytes,
        bytesOut: reply?.bytes,
        notes: note !== undefined && !oneway ? [note] : undefined,
        request: this.#cfg.sendRequest ? query : undefined,
        response: this.#cfg.sendResponse && reply !== undefined ? reply.text : undefined,
        fields: { thrift },
      }),
    );
  }
}
