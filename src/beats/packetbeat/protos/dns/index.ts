import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import type {
  Direction,
  Endpoint,
  Packet,
  ProtocolContext,
  ProtocolFactory,
  TcpConnection,
  TcpProtocol,
  UdpProtocol,
} from '../protocol.js';
import { transactionEvent } from '../transaction.js';
import { readDnsConfig, type DnsConfig } from './config.js';
import { decodeDns } from './decoder.js';
import { dnsTransaction, type TimedDns } from './event.js';
import { TcpDnsFramer } from './tcp-framer.js';

/** Queries waiting for an answer beyond this are published as unmatched (bounded memory under a flood). */
export const MAX_PENDING_QUERIES = 100_000;

const NOTE_DUPLICATE =
  'Another query with the same DNS ID from this client was received so this query was closed without receiving a response';

interface PendingQuery {
  q: TimedDns;
  client: Endpoint;
  server: Endpoint;
  transport: 'tcp' | 'udp';
  /** The TCP connection state holding it (undefined for UDP). */
  conn: DnsConnState | undefined;
}

/** Per-TCP-connection state: the length-prefix framer of each direction and the queries waiting, by DNS id. */
export interface DnsConnState {
  readonly conn: TcpConnection;
  readonly framers: readonly [TcpDnsFramer, TcpDnsFramer];
  readonly pending: Map<number, PendingQuery>;
}

/**
 * DNS over UDP and TCP. The same object is both a UdpProtocol (`parseUdp`) and a TcpProtocol (`parse`): the
 * engine dispatches UDP datagrams and TCP streams on the configured ports to it. Queries are paired with responses
 * by (client address, client port, DNS id) over UDP and by DNS id within the connection over TCP.
 */
export class DnsProtocol implements UdpProtocol, TcpProtocol<DnsConnState> {
  readonly name = 'dns';
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  readonly config: DnsConfig;
  readonly #ctx: ProtocolContext;
  /** UDP queries by `ip|port|id`, in arrival order (Map iteration order makes expiry a scan of the oldest). */
  readonly #udp = new Map<string, PendingQuery>();
  /** TCP connections with queries waiting, for `expire`. */
  readonly #tcpWaiting = new Set<DnsConnState>();

  readonly #maxPending: number;

  constructor(config: DnsConfig, ctx: ProtocolContext, limits: { maxPendingQueries?: number } = {}) {
    this.#maxPending = limits.maxPendingQueries ?? MAX_PENDING_QUERIES;
    this.config = config;
    this.ports = config.ports;
    this.transactionTimeoutMs = config.transactionTimeoutMs;
    this.#ctx = ctx;
  }

  // ---- UDP ----

  parseUdp(pkt: Packet, client: Endpoint, server: Endpoint, _dir: Direction): void {
    const msg = decodeDns(pkt.payload);
    if (msg === undefined) {
      if (this.#ctx.log.isDebug) this.#ctx.log.debug('DNS datagram too short (%d bytes).', pkt.payload.length);
      return;
    }
    const key = `${client.ip}|${client.port}|${msg.id}`;
    const timed: TimedDns = { msg, ts: pkt.ts };
    if (!msg.response) {
      const prev = this.#udp.get(key);
      if (prev !== undefined) {
        this.#udp.delete(key);
        this.#publish(prev, undefined, [NOTE_DUPLICATE]);
      }
      this.#udp.set(key, { q: timed, client, server, transport: 'udp', conn: undefined });
      if (this.#udp.size > this.#maxPending) {
        const [oldKey, oldest] = this.#udp.entries().next().value as [string, PendingQuery];
        this.#udp.delete(oldKey);
        this.#publish(oldest, undefined);
      }
      return;
    }
    const pending = this.#udp.get(key);
    if (pending !== undefined) {
      this.#udp.delete(key);
      this.#publish(pending, timed);
    } else this.#publishOrphan(timed, client, server, 'udp');
  }

  flush(): void {
    for (const p of this.#udp.values()) this.#publish(p, undefined);
    this.#udp.clear();
  }

  expire(nowMs: number): void {
    const limit = this.transactionTimeoutMs;
    for (const [key, p] of this.#udp) {
      if (nowMs - p.q.ts <= limit) break; // insertion order = arrival order
      this.#udp.delete(key);
      this.#publish(p, undefined);
    }
    for (const st of this.#tcpWaiting) {
      for (const [id, p] of st.pending) {
        if (nowMs - p.q.ts <= limit) continue;
        st.pending.delete(id);
        this.#publish(p, undefined);
      }
      if (st.pending.size === 0) this.#tcpWaiting.delete(st);
    }
  }

  // ---- TCP ----

  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: DnsConnState | undefined): DnsConnState {
    const st = state ?? { conn, framers: [new TcpDnsFramer(), new TcpDnsFramer()], pending: new Map() };
    const msgs = st.framers[dir].feed(pkt.payload);
    for (const raw of msgs) {
      const msg = decodeDns(raw);
      if (msg === undefined) continue;
      const timed: TimedDns = { msg, ts: pkt.ts };
      if (!msg.response) {
        const prev = st.pending.get(msg.id);
        if (prev !== undefined) {
          st.pending.delete(msg.id);
          this.#publish(prev, undefined, [NOTE_DUPLICATE]);
        }
        st.pending.set(msg.id, { q: timed, client: conn.client, server: conn.server, transport: 'tcp', conn: st });
        this.#tcpWaiting.add(st);
        continue;
      }
      const p = st.pending.get(msg.id);
      if (p !== undefined) {
        st.pending.delete(msg.id);
        if (st.pending.size === 0) this.#tcpWaiting.delete(st);
        this.#publish(p, timed);
      } else this.#publishOrphan(timed, conn.client, conn.server, 'tcp');
    }
    return st;
  }

  receivedFin(_conn: TcpConnection, _dir: Direction, state: DnsConnState | undefined): DnsConnState | undefined {
    return state;
  }

  gapInStream(
    _conn: TcpConnection,
    dir: Direction,
    _nbytes: number,
    state: DnsConnState | undefined,
  ): { state: DnsConnState | undefined; drop: boolean } {
    // The length prefixes are lost with the bytes: the framer waits for a segment of whole messages.
    state?.framers[dir].lose();
    return { state, drop: false };
  }

  connectionClosed(_conn: TcpConnection, state: DnsConnState | undefined): void {
    if (state === undefined) return;
    for (const p of state.pending.values()) this.#publish(p, undefined);
    state.pending.clear();
    this.#tcpWaiting.delete(state);
  }

  // ---- publishing ----

  #publish(p: PendingQuery, response: TimedDns | undefined, notes: readonly string[] = []): void {
    const t = dnsTransaction(p.q, response, p.client, p.server, p.transport, this.config, notes);
    this.#ctx.report(transactionEvent(t));
  }

  #publishOrphan(r: TimedDns, client: Endpoint, server: Endpoint, transport: 'tcp' | 'udp'): void {
    this.#ctx.report(transactionEvent(dnsTransaction(undefined, r, client, server, transport, this.config)));
  }
}

export const createDnsProtocol: ProtocolFactory = (cfg: ConfigNode, ctx: ProtocolContext) =>
  new DnsProtocol(readDnsConfig(cfg), ctx);
