import type { Logger } from '../../../libbeat/logp/logger.js';
import type { DecodedPacket } from '../decoder/decode.js';
import { TCP_ACK, TCP_RST, TCP_SYN } from '../decoder/decode.js';
import type { Direction, Endpoint, TcpConnection, TcpProtocol } from '../protos/protocol.js';
import {
  DEFAULT_STREAM_LIMITS,
  TcpStream,
  type BufferBudget,
  type StreamLimits,
  type StreamSink,
  type StreamStats,
} from './stream.js';

export interface TcpTrackerOptions {
  /** Connections idle this long (capture time) are closed. */
  connectionTimeoutMs: number;
  /** At most this many tracked connections; the oldest is closed to make room. */
  maxConnections: number;
  /** Total bytes of out-of-order segments buffered over all streams. */
  maxBufferedBytes: number;
  /** Out-of-order segments waiting longer than this for the missing bytes are given up on (reported as a gap). */
  reorderTimeoutMs: number;
  stream: StreamLimits;
}

export const DEFAULT_TCP_OPTIONS: TcpTrackerOptions = {
  connectionTimeoutMs: 120_000,
  maxConnections: 65_536,
  maxBufferedBytes: 64 * 1024 * 1024,
  reorderTimeoutMs: 2_000,
  stream: DEFAULT_STREAM_LIMITS,
};

export interface TcpStats extends StreamStats {
  connections: number;
  closedByTimeout: number;
  evicted: number;
  parserErrors: number;
}

class Connection implements TcpConnection, StreamSink {
  readonly id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  readonly proto: TcpProtocol;
  readonly streams: [TcpStream, TcpStream];
  state: unknown;
  lastTs: number;
  /** Sequence number of the client's SYN, when it was seen (a retransmitted SYN carries the same one). */
  synSeq: number | undefined;
  /** Direction of the segment being processed (the sink callbacks need it). */
  dir: Direction = 0;
  dropped = false;
  readonly #tracker: TcpTracker;

  constructor(tracker: TcpTracker, id: number, client: Endpoint, server: Endpoint, proto: TcpProtocol, ts: number) {
    this.#tracker = tracker;
    this.id = id;
    this.client = client;
    this.server = server;
    this.proto = proto;
    this.lastTs = ts;
    const t = tracker;
    this.streams = [new TcpStream(t.options.stream, t.budget, t.stats), new TcpStream(t.options.stream, t.budget, t.stats)];
  }

  data(payload: Buffer, ts: number): void {
    const dir = this.dir;
    this.#tracker.guard(this, () => {
      this.state = this.proto.parse({ ts, payload }, this, dir, this.state);
    });
  }

  gap(nbytes: number): void {
    const dir = this.dir;
    this.#tracker.guard(this, () => {
      const r = this.proto.gapInStream(this, dir, nbytes, this.state);
      this.state = r.drop ? undefined : r.state;
    });
  }

  fin(): void {
    const dir = this.dir;
    this.#tracker.guard(this, () => {
      this.state = this.proto.receivedFin(this, dir, this.state);
    });
  }
}

/**
 * Tracks TCP connections of the configured protocols: finds the server side, reassembles both directions and
 * drives the protocol plugin (parse / gapInStream / receivedFin / connectionClosed). Memory is bounded by
 * `maxConnections`, the per-stream limits and the shared out-of-order budget.
 */
export class TcpTracker {
  readonly options: TcpTrackerOptions;
  readonly budget: BufferBudget;
  readonly stats: TcpStats = {
    retransmitted: 0,
    outOfOrder: 0,
    gaps: 0,
    gapBytes: 0,
    connections: 0,
    closedByTimeout: 0,
    evicted: 0,
    parserErrors: 0,
  };
  readonly #byPort = new Map<number, TcpProtocol>();
  /** Connections by `srcPort * 65536 + dstPort`, registered under both directions' port pairs. */
  readonly #byPorts = new Map<number, Connection[]>();
  /** Live connections in creation order (the eviction order). */
  readonly #conns = new Set<Connection>();
  readonly #log: Logger;
  readonly #failedOnce = new Set<string>();
  #nextId = 1;

  constructor(protocols: readonly TcpProtocol[], log: Logger, options: Partial<TcpTrackerOptions> = {}) {
    this.options = { ...DEFAULT_TCP_OPTIONS, ...options };
    this.budget = { used: 0, max: this.options.maxBufferedBytes };
    this.#log = log;
    for (const p of protocols) for (const port of p.ports) this.#byPort.set(port, p);
  }

  get size(): number {
    return this.#conns.size;
  }

  /** Does any protocol listen on this port? */
  handles(port: number): boolean {
    return this.#byPort.has(port);
  }

  packet(p: DecodedPacket): void {
    let c = this.#find(p);
    if (c !== undefined && (p.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN && this.#isNewSyn(c, p)) {
      // The 4-tuple is reused by a new connection (we missed the old one's close): start over.
      this.#close(c);
      c = undefined;
    }
    if (c === undefined) {
      c = this.#open(p);
      if (c === undefined) return;
    }
    const dir: Direction = p.srcPort === c.client.port && p.srcIp === c.client.ip ? 0 : 1;
    c.lastTs = p.ts;
    const flags = p.flags;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) c.synSeq = p.seq;
    const other = c.streams[dir === 0 ? 1 : 0];
    if (flags & TCP_ACK && other.bufferedSegments > 0) {
      c.dir = dir === 0 ? 1 : 0;
      other.peerAcked(p.ack, c);
    }
    c.dir = dir;
    c.streams[dir].segment(p.seq, flags, p.payload, p.ts, c);
    if (flags & TCP_RST || (c.streams[0].finDelivered && c.streams[1].finDelivered)) this.#close(c);
  }

  /**
   * Looks a packet's connection up by its port pair first (a number: no string building on the hot path), then
   * compares addresses; the decoder interns address strings, so the comparisons are mostly pointer checks.
   */
  #find(p: DecodedPacket): Connection | undefined {
    const list = this.#byPorts.get(p.srcPort * 65536 + p.dstPort);
    if (list === undefined) return undefined;
    for (const c of list) {
      const cl = c.client;
      const sv = c.server;
      if (cl.port === p.srcPort && sv.port === p.dstPort && cl.ip === p.srcIp && sv.ip === p.dstIp) return c;
      if (sv.port === p.srcPort && cl.port === p.dstPort && sv.ip === p.srcIp && cl.ip === p.dstIp) return c;
    }
    return undefined;
  }

  #index(c: Connection, add: boolean): void {
    for (const k of [c.client.port * 65536 + c.server.port, c.server.port * 65536 + c.client.port]) {
      const list = this.#byPorts.get(k);
      if (add) {
        if (list === undefined) this.#byPorts.set(k, [c]);
        else list.push(c);
      } else if (list !== undefined) {
        const i = list.indexOf(c);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0) this.#byPorts.delete(k);
      }
      if (c.client.port === c.server.port) break;
    }
  }

  #open(p: DecodedPacket): Connection | undefined {
    const flags = p.flags;
    const syn = (flags & TCP_SYN) !== 0;
    if (flags & TCP_RST) return undefined;
    if (!syn && p.payload.length === 0) return undefined; // stray ACK / FIN of a connection we do not know
    const dstProto = this.#byPort.get(p.dstPort);
    const srcProto = this.#byPort.get(p.srcPort);
    if (dstProto === undefined && srcProto === undefined) return undefined;
    let serverIsDst: boolean;
    if (dstProto !== undefined && srcProto !== undefined) serverIsDst = !(syn && flags & TCP_ACK);
    else serverIsDst = dstProto !== undefined;
    const proto = (serverIsDst ? dstProto : srcProto)!;
    const src: Endpoint = { ip: p.srcIp, port: p.srcPort };
    const dst: Endpoint = { ip: p.dstIp, port: p.dstPort };
    while (this.#conns.size >= this.options.maxConnections) {
      const oldest = this.#conns.values().next().value;
      if (oldest === undefined) break;
      this.stats.evicted++;
      this.#close(oldest);
    }
    const c = new Connection(this, this.#nextId++, serverIsDst ? src : dst, serverIsDst ? dst : src, proto, p.ts);
    this.#index(c, true);
    this.#conns.add(c);
    this.stats.connections++;
    return c;
  }

  /** A SYN from the client side whose sequence number is not the one this connection started with. */
  #isNewSyn(c: Connection, p: DecodedPacket): boolean {
    const fromClient = p.srcPort === c.client.port && p.srcIp === c.client.ip;
    const s = c.streams[fromClient ? 0 : 1];
    if (!s.initialized) return false;
    return c.synSeq === undefined || c.synSeq !== p.seq;
  }

  /** Runs a plugin call; an exception resets the connection's parser state and is logged once per protocol. */
  guard(c: Connection, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      c.state = undefined;
      this.stats.parserErrors++;
      if (!this.#failedOnce.has(c.proto.name)) {
        this.#failedOnce.add(c.proto.name);
        this.#log.warn('%s parser failed on connection %s:%d -> %s:%d, state reset: %s', c.proto.name, c.client.ip,
          c.client.port, c.server.ip, c.server.port, (err as Error).message);
      }
    }
  }

  #close(c: Connection): void {
    if (!this.#conns.delete(c)) return;
    this.#index(c, false);
    for (const dir of [0, 1] as const) {
      c.dir = dir;
      c.streams[dir].flush(c);
      c.streams[dir].release();
    }
    this.guard(c, () => c.proto.connectionClosed(c, c.state));
    c.state = undefined;
  }

  /** Periodic housekeeping with the capture clock: idle connections, stale out-of-order data. */
  tick(now: number): void {
    const idle = this.options.connectionTimeoutMs;
    const reorder = this.options.reorderTimeoutMs;
    for (const c of this.#conns) {
      if (now - c.lastTs > idle) {
        this.stats.closedByTimeout++;
        this.#close(c);
        continue;
      }
      for (const dir of [0, 1] as const) {
        const s = c.streams[dir];
        if (s.bufferedSegments === 0) continue;
        const oldest = s.oldestBufferedTs;
        if (oldest !== undefined && now - oldest > reorder) {
          c.dir = dir;
          while (s.bufferedSegments > 0) s.skipHole(c);
        }
      }
    }
  }

  /** End of input: closes every connection (pending requests are published by the plugins). */
  closeAll(): void {
    for (const c of [...this.#conns]) this.#close(c);
  }
}
