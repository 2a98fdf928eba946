import type { Logger } from '../../../libbeat/logp/logger.js';
import { IPPROTO_TCP, PacketDecoder, type DecodedPacket } from '../decoder/decode.js';
import type { DefragLimits } from '../decoder/defrag.js';
import type { CapturedPacket } from '../pcap/reader.js';
import { isTcpProtocol, isUdpProtocol, type Direction, type Endpoint, type Protocol, type TcpProtocol, type UdpProtocol } from '../protos/protocol.js';
import { TcpTracker, type TcpTrackerOptions } from '../tcp/tracker.js';

export interface EngineOptions {
  log: Logger;
  tcp?: Partial<TcpTrackerOptions>;
  defrag?: Partial<DefragLimits>;
  /** Capture-time interval between housekeeping ticks (expire, idle connections). */
  tickMs?: number;
}

/** Engine counters (exposed on the stats endpoint and in the final log line). */
export interface EngineStats {
  udpDatagrams: number;
  udpErrors: number;
  unmatchedPort: number;
}

/**
 * The packet pipeline between the capture and the protocol plugins: decode → (TCP reassembly | UDP dispatch) →
 * plugin, plus the housekeeping clock. Synchronous and single-threaded; feed it with `packet()` and call `finish()`
 * at end of input.
 */
export class PacketEngine {
  readonly decoder: PacketDecoder;
  readonly tcp: TcpTracker;
  readonly stats: EngineStats = { udpDatagrams: 0, udpErrors: 0, unmatchedPort: 0 };
  readonly #udpByPort = new Map<number, UdpProtocol>();
  readonly #protocols: Protocol[] = [];
  readonly #tickMs: number;
  readonly #log: Logger;
  #clock = 0;
  #lastTick = 0;
  #udpFailed = new Set<string>();

  constructor(protocols: readonly Protocol[], opts: EngineOptions) {
    this.#log = opts.log;
    this.#tickMs = opts.tickMs ?? 1000;
    this.decoder = new PacketDecoder(opts.defrag);
    const tcp: TcpProtocol[] = [];
    for (const p of protocols) {
      this.#protocols.push(p);
      // a plugin may be both (DNS): registered for each transport it implements
      if (isTcpProtocol(p)) tcp.push(p);
      if (isUdpProtocol(p)) for (const port of p.ports) this.#udpByPort.set(port, p);
    }
    this.tcp = new TcpTracker(tcp, opts.log.child('tcp'), opts.tcp);
  }

  /** Capture time of the last packet (ms since epoch). */
  get clock(): number {
    return this.#clock;
  }

  packet(raw: CapturedPacket): void {
    if (raw.ts > this.#clock) this.#clock = raw.ts;
    // Housekeeping first: a packet after a long silence must find idle connections already closed.
    if (this.#clock - this.#lastTick >= this.#tickMs) {
      if (this.#lastTick === 0) this.#lastTick = this.#clock;
      else this.tick(this.#clock);
    }
    const p = this.decoder.decode(raw);
    if (p !== undefined) this.decoded(p);
  }

  /** Dispatches an already decoded packet. */
  decoded(p: DecodedPacket): void {
    if (p.transport === IPPROTO_TCP) this.tcp.packet(p);
    else this.#udp(p);
  }

  #udp(p: DecodedPacket): void {
    let proto = this.#udpByPort.get(p.dstPort);
    let dir: Direction = 0;
    if (proto === undefined) {
      proto = this.#udpByPort.get(p.srcPort);
      dir = 1;
      if (proto === undefined) {
        this.stats.unmatchedPort++;
        return;
      }
    }
    this.stats.udpDatagrams++;
    const src: Endpoint = { ip: p.srcIp, port: p.srcPort };
    const dst: Endpoint = { ip: p.dstIp, port: p.dstPort };
    try {
      if (dir === 0) proto.parseUdp({ ts: p.ts, payload: p.payload }, src, dst, 0);
      else proto.parseUdp({ ts: p.ts, payload: p.payload }, dst, src, 1);
    } catch (err) {
      this.stats.udpErrors++;
      if (!this.#udpFailed.has(proto.name)) {
        this.#udpFailed.add(proto.name);
        this.#log.warn('%s parser failed on a datagram from %s:%d: %s', proto.name, p.srcIp, p.srcPort, (err as Error).message);
      }
    }
  }

  /** Housekeeping: idle connections, stale reordering buffers, protocol transaction timeouts. */
  tick(now: number): void {
    this.#lastTick = now;
    this.tcp.tick(now);
    for (const p of this.#protocols) {
      try {
        p.expire?.(now);
      } catch (err) {
        this.#log.warn('%s expire failed: %s', p.name, (err as Error).message);
      }
    }
  }

  /** End of input: closes every connection and flushes every UDP protocol, so all pending transactions are published. */
  finish(): void {
    this.tcp.closeAll();
    for (const p of this.#protocols) {
      if (!isUdpProtocol(p)) continue;
      try {
        p.flush();
      } catch (err) {
        this.#log.warn('%s flush failed: %s', p.name, (err as Error).message);
      }
    }
  }
}
