import type {
  Direction,
  Endpoint,
  Packet,
  ProtocolContext,
  TcpConnection,
  TcpProtocol,
  UdpProtocol,
} from '../protocol.js';
import { resyncAfterGap, resyncOnError } from '../stream-resync.js';
import { NOTE_GAP, NOTE_NO_REQUEST } from '../transaction.js';
import { isQuietOpcode } from './binary-parser.js';
import type { MemcacheConfig } from './config.js';
import { expectsNoReply, memcacheEvent } from './event.js';
import { newMessage, type McMessage } from './message.js';
import { McStream } from './stream.js';

/**
 * Requests tracked per connection while waiting for replies. Beyond this, requests are only counted (their replies
 * are skipped in step so that later pairs stay right) and not published.
 */
export const MAX_PENDING = 1000;
/** UDP: datagrams per response and bytes per response kept while reassembling; UDP exchanges tracked at once. */
export const MAX_UDP_DATAGRAMS = 1024;
export const MAX_UDP_RESPONSE_BYTES = 16 * 1024 * 1024;
export const MAX_UDP_PENDING = 10_000;
/** Datagram bytes held for reassembly over all UDP exchanges (beyond: counted, not kept; the response is cut). */
export const MAX_UDP_TOTAL_BYTES = 64 * 1024 * 1024;

export interface McConnState {
  conn: TcpConnection;
  streams: [McStream, McStream];
  pending: McMessage[];
  /** Binary `stat`: the entries received so far for the request at the head. */
  stats: { name: string; value: string }[] | undefined;
}

interface UdpExchange {
  client: Endpoint;
  server: Endpoint;
  created: number;
  request: McMessage | undefined;
  total: number;
  parts: Map<number, Buffer>;
  partBytes: number;
  firstTs: number;
  lastTs: number;
}

/**
 * Memcache over TCP (text and binary, `parse` & co.) and UDP (`parseUdp`): one plugin implementing both the
 * TcpProtocol and UdpProtocol contracts, as memcached serves both on the same port.
 */
export class MemcacheProtocol implements TcpProtocol<McConnState>, UdpProtocol {
  readonly name = 'memcache';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly #cfg: MemcacheConfig;
  readonly #ctx: ProtocolContext;
  readonly #waiting = new Set<McConnState>();
  readonly #udp = new Map<string, UdpExchange>();
  /** Bytes of response datagrams held for reassembly, over all exchanges. */
  #udpBytes = 0;

  constructor(cfg: MemcacheConfig, ctx: ProtocolContext) {
    this.#cfg = cfg;
    this.#ctx = ctx;
    this.ports = cfg.ports;
    this.transactionTimeoutMs = cfg.transactionTimeoutMs;
  }

  // ---- TCP ----

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: McConnState | undefined): McConnState | undefined {
    const st = state ?? this.#newState(conn);
    const s = st.streams[dir];
    const msgs = s.feed(pkt.payload, pkt.ts);
    for (const m of msgs) if (dir === 0) this.#request(st, m);
    else this.#response(st, m);
    if (resyncOnError(this.#ctx.log, 'memcache', s, dir)) this.#flush(st, 'Unparseable response');
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: McConnState | undefined): McConnState | undefined {
    return state;
  }

  gapInStream(
    _conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: McConnState | undefined,
  ): { state: McConnState | undefined; drop: boolean } {
    if (state !== undefined && resyncAfterGap(state.streams, dir)) this.#flush(state, NOTE_GAP);
    return { state, drop: false };
  }

  connectionClosed(_conn: TcpConnection, state: McConnState | undefined): void {
    if (state !== undefined) this.#flush(state, undefined);
  }

  expire(nowMs: number): void {
    for (const st of this.#waiting) {
      while (st.pending.length > 0 && st.pending[0]!.ts + this.transactionTimeoutMs <= nowMs) this.#publishTcp(st, st.pending.shift()!, undefined);
      if (st.pending.length === 0) this.#waiting.delete(st);
    }
    for (const [k, x] of this.#udp) {
      if (x.created + this.#cfg.udpTransactionTimeoutMs > nowMs) continue;
      this.#dropUdp(k);
      if (x.request !== undefined) this.#publishUdp(x, x.request, undefined);
    }
  }

  #newState(conn: TcpConnection): McConnState {
    const mk = (req: boolean): McStream => new McStream(req, this.#cfg, this.#cfg.parseUnknown);
    return { conn, streams: [mk(true), mk(false)], pending: [], stats: undefined };
  }

  #request(st: McConnState, m: McMessage): void {
    if (st.pending.length >= MAX_PENDING) {
      if (expectsNoReply(m)) return;
      const last = st.pending[st.pending.length - 1]!;
      if (last.untracked !== undefined) last.untracked++;
      else st.pending.push({ ...newMessage('text', true, m.ts), untracked: 1 });
      return;
    }
    st.pending.push(m);
    this.#waiting.add(st);
    this.#drainNoReply(st);
  }

  /** Requests at the head that get no reply by design are complete now. */
  #drainNoReply(st: McConnState): void {
    while (st.pending.length > 0 && expectsNoReply(st.pending[0]!)) this.#publishTcp(st, st.pending.shift()!, undefined);
    if (st.pending.length === 0) this.#waiting.delete(st);
  }

  #response(st: McConnState, m: McMessage): void {
    for (;;) {
      const head = st.pending[0];
      if (head === undefined) {
        this.#ctx.log.debug('memcache: response without a request; ignored');
        return;
      }
      // Binary quiet commands answer only when there is something to tell (a hit for GETQ/GETKQ, a failure for the
      // others): a reply for a later request means they were answered by silence.
      if (m.protocol === 'binary' && head.protocol === 'binary' && head.opcode !== undefined && isQuietOpcode(head.opcode) && head.opaque !== m.opaque) {
        this.#publishTcp(st, st.pending.shift()!, undefined);
        continue;
      }
      break;
    }
    const req = st.pending[0]!;
    if (req.untracked !== undefined) {
      // A reply to an untracked request: skip it in step.
      if (--req.untracked === 0) st.pending.shift();
      return;
    }
    if (m.protocol === 'binary' && req.command === 'stat' && m.command === 'stat' && m.status === 0) {
      // Binary stats: one response per entry, closed by an entry with an empty key.
      if (m.stats !== undefined) {
        st.stats ??= [];
        if (st.stats.length < 1000) st.stats.push(...m.stats);
        return;
      }
      if (st.stats !== undefined) m.stats = st.stats;
      st.stats = undefined;
    }
    st.pending.shift();
    this.#publishTcp(st, req, m);
    this.#drainNoReply(st);
  }

  #flush(st: McConnState, note: string | undefined): void {
    for (const r of st.pending) this.#publishTcp(st, r, undefined, note);
    st.pending = [];
    st.stats = undefined;
    this.#waiting.delete(st);
  }

  #publishTcp(st: McConnState, req: McMessage, resp: McMessage | undefined, note?: string): void {
    if ((req.unknown && !this.#cfg.parseUnknown) || req.untracked !== undefined) return;
    this.#ctx.report(
      memcacheEvent(req, resp, {
        transport: 'tcp',
        client: st.conn.client,
        server: st.conn.server,
        sendRequest: this.#cfg.sendRequest,
        sendResponse: this.#cfg.sendResponse,
        note,
      }),
    );
  }

  // ---- UDP ----

  parseUdp(pkt: Packet, client: Endpoint, server: Endpoint, dir: Direction): void {
    const p = pkt.payload;
    if (p.length < 8) return;
    const reqId = p.readUInt16BE(0);
    const seq = p.readUInt16BE(2);
    const total = p.readUInt16BE(4);
    const key = `${client.ip}|${client.port}|${server.ip}|${server.port}|${reqId}`;
    let x = this.#udp.get(key);
    if (dir === 0) {
      const msgs = new McStream(true, this.#cfg, this.#cfg.parseUnknown).feed(p.subarray(8), pkt.ts);
      const req = msgs[0];
      if (req === undefined) return;
      if (x !== undefined && x.request !== undefined) {
        // Request id reused before the previous exchange finished: publish that one as it is.
        this.#dropUdp(key);
        this.#publishUdp(x, x.request, undefined);
        x = undefined;
      }
      if (x === undefined) {
        if (this.#udp.size >= MAX_UDP_PENDING) this.#evictOldestUdp();
        x = { client, server, created: pkt.ts, request: req, total: 0, parts: new Map(), partBytes: 0, firstTs: 0, lastTs: 0 };
        this.#udp.set(key, x);
      } else x.request = req;
      if (expectsNoReply(req)) {
        this.#dropUdp(key);
        this.#publishUdp(x, req, undefined);
        return;
      }
      this.#tryCompleteUdp(key, x);
      return;
    }
    if (x === undefined) {
      if (this.#udp.size >= MAX_UDP_PENDING) this.#evictOldestUdp();
      x = { client, server, created: pkt.ts, request: undefined, total: 0, parts: new Map(), partBytes: 0, firstTs: pkt.ts, lastTs: pkt.ts };
      this.#udp.set(key, x);
    }
    if (x.parts.size === 0) x.firstTs = pkt.ts;
    x.lastTs = pkt.ts;
    x.total = Math.min(Math.max(total, 1), MAX_UDP_DATAGRAMS);
    const size = p.length - 8;
    if (seq < x.total && !x.parts.has(seq) && x.partBytes + size <= MAX_UDP_RESPONSE_BYTES && this.#udpBytes + size <= MAX_UDP_TOTAL_BYTES) {
      x.parts.set(seq, Buffer.from(p.subarray(8)));
      x.partBytes += size;
      this.#udpBytes += size;
    } else if (seq < x.total && !x.parts.has(seq)) x.parts.set(seq, Buffer.alloc(0)); // over budget: counted, not kept
    this.#tryCompleteUdp(key, x);
  }

  flush(): void {
    for (const x of this.#udp.values()) if (x.request !== undefined) this.#publishUdp(x, x.request, undefined);
    this.#udp.clear();
    this.#udpBytes = 0;
  }

  #dropUdp(key: string): void {
    const x = this.#udp.get(key);
    if (x === undefined) return;
    this.#udpBytes -= x.partBytes;
    this.#udp.delete(key);
  }

  #evictOldestUdp(): void {
    const first = this.#udp.entries().next();
    if (first.done) return;
    const [k, x] = first.value;
    this.#dropUdp(k);
    if (x.request !== undefined) this.#publishUdp(x, x.request, undefined);
  }

  #tryCompleteUdp(key: string, x: UdpExchange): void {
    if (x.total === 0 || x.parts.size < x.total) return;
    const bufs: Buffer[] = [];
    for (let i = 0; i < x.total; i++) bufs.push(x.parts.get(i) ?? Buffer.alloc(0));
    this.#dropUdp(key);
    const s = new McStream(false, this.#cfg, this.#cfg.parseUnknown);
    const msgs = s.feed(Buffer.concat(bufs), x.firstTs);
    const resp = msgs[0];
    if (resp === undefined) {
      if (x.request !== undefined) this.#publishUdp(x, x.request, undefined, 'Unparseable response');
      return;
    }
    resp.endTs = x.lastTs;
    if (x.request === undefined) {
      this.#ctx.log.debug(`memcache: UDP response without a request (${NOTE_NO_REQUEST}); ignored`);
      return;
    }
    this.#publishUdp(x, x.request, resp);
  }

  #publishUdp(x: UdpExchange, req: McMessage, resp: McMessage | undefined, note?: string): void {
    if (req.unknown && !this.#cfg.parseUnknown) return;
    this.#ctx.report(
      memcacheEvent(req, resp, {
        transport: 'udp',
        client: x.client,
        server: x.server,
        sendRequest: this.#cfg.sendRequest,
        sendResponse: this.#cfg.sendResponse,
        note,
      }),
    );
  }
}
