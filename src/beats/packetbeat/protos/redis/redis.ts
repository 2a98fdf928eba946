import type { Direction, Packet, ProtocolContext, TcpConnection, TcpProtocol } from '../protocol.js';
import type { CommonProtocolConfig } from '../common-config.js';
import { NOTE_GAP, NOTE_NO_RESPONSE, Status, transactionEvent } from '../transaction.js';
import { RespParser, type RespMessage, type RespValue } from './resp-parser.js';
import { renderValue, toCommand, type RedisCommand } from './format.js';
import { resyncAfterGap, resyncOnError } from '../stream-resync.js';

/**
 * Commands tracked per connection while waiting for replies. Beyond this (mass insertion with `redis-cli --pipe`
 * runs far ahead of the replies) further commands are only counted, so that their replies are skipped in step
 * instead of being paired with the wrong commands; they are not published.
 */
export const MAX_PENDING = 1000;

interface PendingRequest {
  /** undefined for a run of `count` untracked commands. */
  cmd: RedisCommand | undefined;
  ts: number;
  bytes: number;
  count: number;
}

/** Per-connection state: one parser per direction and the requests waiting for their reply (FIFO). */
export interface RedisConnState {
  conn: TcpConnection;
  parsers: [RespParser, RespParser];
  pending: PendingRequest[];
  head: number;
  /** A (P|S)SUBSCRIBE was sent and not all channels were left: RESP2 pub/sub arrays may arrive. */
  subscribed: boolean;
}


/** The Redis plugin: RESP commands from the client are paired in order with the server's replies. */
export class RedisProtocol implements TcpProtocol<RedisConnState> {
  readonly name = 'redis';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly #cfg: CommonProtocolConfig;
  readonly #ctx: ProtocolContext;
  /** Connections with requests waiting, for `expire`. */
  readonly #waiting = new Set<RedisConnState>();

  constructor(cfg: CommonProtocolConfig, ctx: ProtocolContext) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.ports = cfg.ports;
    this.transactionTimeoutMs = cfg.transactionTimeoutMs;
  }

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: RedisConnState | undefined): RedisConnState | undefined {
    const st = state ?? newState(conn);
    const parser = st.parsers[dir];
    const msgs = parser.feed(pkt.payload, pkt.ts);
    if (dir === 0) for (const m of msgs) this.#request(st, m);
    else for (const m of msgs) this.#response(st, m, pkt.ts);
    if (resyncOnError(this.#ctx.log, 'redis', parser, dir)) this.#flushPending(st, 'Unparseable response');
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: RedisConnState | undefined): RedisConnState | undefined {
    return state;
  }

  gapInStream(
    _conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: RedisConnState | undefined,
  ): { state: RedisConnState | undefined; drop: boolean } {
    // The stream position is lost: restart the parsers and give up on the requests in flight.
    if (state !== undefined && resyncAfterGap(state.parsers, dir)) this.#flushPending(state, NOTE_GAP);
    return { state, drop: false };
  }

  connectionClosed(_conn: TcpConnection, state: RedisConnState | undefined): void {
    if (state !== undefined) this.#flushPending(state, NOTE_NO_RESPONSE);
  }

  expire(nowMs: number): void {
    for (const st of this.#waiting) {
      while (st.head < st.pending.length && st.pending[st.head]!.ts + this.transactionTimeoutMs <= nowMs) {
        this.#publish(st, st.pending[st.head]!, undefined, NOTE_NO_RESPONSE);
        st.head++;
      }
      this.#compact(st);
      if (st.pending.length === 0) this.#waiting.delete(st);
    }
  }

  #request(st: RedisConnState, m: RespMessage): void {
    const cmd = toCommand(m.value);
    if (cmd === undefined) return;
    if (st.pending.length - st.head >= MAX_PENDING) {
      const last = st.pending[st.pending.length - 1]!;
      if (last.cmd === undefined) last.count++;
      else st.pending.push({ cmd: undefined, ts: m.ts, bytes: 0, count: 1 });
      return;
    }
    st.pending.push({ cmd, ts: m.ts, bytes: m.bytes, count: 1 });
    this.#waiting.add(st);
    if (cmd.method === 'SUBSCRIBE' || cmd.method === 'PSUBSCRIBE' || cmd.method === 'SSUBSCRIBE') st.subscribed = true;
  }

  #response(st: RedisConnState, m: RespMessage, endTs: number): void {
    if (m.value.type === 'push') return; // RESP3 out-of-band data (pub/sub, invalidation): no request
    // RESP2 pub/sub: messages, and the confirmations of the 2nd, 3rd... channel of one (UN)SUBSCRIBE, come as
    // arrays no command waits for; only a waiting (UN)SUBSCRIBE takes a confirmation.
    const kind = st.subscribed ? pubsubKind(m.value) : undefined;
    if (kind !== undefined) {
      if (kind === 'confirm' && m.value.items?.[2]?.text === '0') st.subscribed = false; // left the last channel
      const head = st.pending[st.head];
      if (kind === 'message' || head === undefined || !SUBSCRIBE_COMMANDS.has(head.cmd?.method ?? '')) return;
    }
    if (st.head >= st.pending.length) {
      this.#ctx.log.debug('redis: reply without a request (pub/sub or capture started mid-connection); ignored');
      return;
    }
    const req = st.pending[st.head]!;
    if (req.cmd === undefined) {
      // A reply to an untracked command: skip it in step.
      if (--req.count === 0) st.head++;
      this.#compact(st);
      return;
    }
    st.head++;
    this.#publish(st, req, { value: m.value, bytes: m.bytes, ts: endTs });
    this.#compact(st);
  }

  #compact(st: RedisConnState): void {
    if (st.head >= st.pending.length) {
      // Emptied in place; `expire` drops idle states from #waiting (one Set operation less per transaction).
      st.pending.length = 0;
      st.head = 0;
    } else if (st.head > 1024) {
      st.pending = st.pending.slice(st.head);
      st.head = 0;
    }
  }

  #flushPending(st: RedisConnState, note: string): void {
    for (let i = st.head; i < st.pending.length; i++) this.#publish(st, st.pending[i]!, undefined, note);
    st.pending = [];
    st.head = 0;
    this.#waiting.delete(st);
  }

  #publish(
    st: RedisConnState,
    req: PendingRequest,
    resp: { value: RespValue; bytes: number; ts: number } | undefined,
    note?: string,
  ): void {
    const cmd = req.cmd;
    if (cmd === undefined) return; // untracked commands are not published
    const redis: Record<string, unknown> = {};
    let status: (typeof Status)[keyof typeof Status] = Status.ok;
    let response: string | undefined;
    if (resp !== undefined) {
      const v = resp.value;
      const text = renderValue(v);
      redis['reply_type'] = v.type;
      if (v.type === 'error') {
        status = Status.error;
        redis['error'] = text;
      } else {
        redis['return_value'] = text;
        if (v.type === 'array' || v.type === 'set' || v.type === 'map') redis['array_length'] = v.size ?? 0;
      }
      response = text;
    } else status = Status.error;
    this.#ctx.report(
      transactionEvent({
        type: 'redis',
        transport: 'tcp',
        client: st.conn.client,
        server: st.conn.server,
        requestTs: req.ts,
        responseTs: resp?.ts,
        status,
        method: cmd.method,
        path: cmd.args[0],
        query: cmd.query,
        bytesIn: req.bytes,
        bytesOut: resp?.bytes,
        notes: note !== undefined ? [note] : undefined,
        request: this.#cfg.sendRequest ? cmd.query : undefined,
        response: this.#cfg.sendResponse ? response : undefined,
        fields: { redis },
      }),
    );
  }
}

const SUBSCRIBE_COMMANDS = new Set(['SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE']);
const PUBSUB_MESSAGES = new Set(['message', 'pmessage', 'smessage']);

/** 'message' for a RESP2 pub/sub message, 'confirm' for a (un)subscribe confirmation, else undefined. */
function pubsubKind(v: RespValue): 'message' | 'confirm' | undefined {
  if (v.type !== 'array' || (v.size !== 3 && v.size !== 4)) return undefined;
  const first = v.items?.[0];
  if (first?.type !== 'bulk' || first.text === undefined) return undefined;
  if (PUBSUB_MESSAGES.has(first.text)) return 'message';
  return SUBSCRIBE_COMMANDS.has(first.text.toUpperCase()) && v.items?.[2]?.type === 'integer' ? 'confirm' : undefined;
}

function newState(conn: TcpConnection): RedisConnState {
  return { conn, parsers: [new RespParser({ inline: true }), new RespParser({ inline: false })], pending: [], head: 0, subscribed: false };
}
