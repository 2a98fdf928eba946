import type { ConfigNode } from '../../../libbeat/config/config-node.js';
import type { Logger } from '../../../libbeat/logp/logger.js';
import type { BeatEvent } from '../../../libbeat/common/event.js';

/** One side of a connection or datagram exchange. `ip` is the textual address (`127.0.0.1`, `::1`). */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/**
 * 0 = from the client to the server, 1 = from the server to the client. The engine decides which side is the
 * server: the endpoint whose port is one of the protocol's ports (the SYN's target when both are).
 */
export type Direction = 0 | 1;

/** A TCP connection as the engine tracks it. `id` is unique for the process lifetime. */
export interface TcpConnection {
  readonly id: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
}

/** Application payload of one TCP segment (in stream order, retransmissions removed) or one UDP datagram. */
export interface Packet {
  /** Capture time in milliseconds since the epoch (fractional: pcap has µs precision). */
  readonly ts: number;
  readonly payload: Buffer;
}

/** What the engine gives each protocol at creation. */
export interface ProtocolContext {
  /** Publishes one transaction event. */
  report(event: BeatEvent): void;
  log: Logger;
  /** Capture time "now" in ms (packet time when reading a file, wall clock when live). */
  now(): number;
}

/**
 * A TCP protocol plugin (beats' TCPPlugin). Per-connection state is owned by the plugin and threaded through the
 * calls: the engine stores what `parse` returns and passes it back on the next call for the same connection, so
 * the plugin keeps no map of connections. Calls for one connection never overlap; all calls are synchronous.
 *
 * Contract: `parse` never throws on bad bytes — a parser that cannot make sense of a stream drops its buffered
 * data and returns fresh state (the engine also catches exceptions, logs them once and resets the state).
 */
export interface TcpProtocol<S = unknown> {
  readonly name: string;
  readonly ports: readonly number[];
  /** Transactions waiting this long for their response are published as unmatched (`transaction_timeout`). */
  readonly transactionTimeoutMs: number;
  parse(pkt: Packet, conn: TcpConnection, dir: Direction, state: S | undefined): S | undefined;
  /** The peer in `dir` sent FIN: a message delimited by connection close (HTTP/1.0 body) is complete now. */
  receivedFin(conn: TcpConnection, dir: Direction, state: S | undefined): S | undefined;
  /** `nbytes` of the stream in `dir` were lost. Return drop=true to discard the connection's state. */
  gapInStream(
    conn: TcpConnection,
    dir: Direction,
    nbytes: number,
    state: S | undefined,
  ): { state: S | undefined; drop: boolean };
  /**
   * The connection is gone (closed, idle past the connection timeout, or the capture file ended): publish what is
   * pending — requests without a response become events with status Error and a note.
   */
  connectionClosed(conn: TcpConnection, state: S | undefined): void;
  /** Called about once a second with the capture clock; publish transactions older than the timeout. */
  expire?(nowMs: number): void;
}

/** A UDP protocol plugin: one call per datagram; correlation state lives in the plugin. */
export interface UdpProtocol {
  readonly name: string;
  readonly ports: readonly number[];
  readonly transactionTimeoutMs: number;
  parseUdp(pkt: Packet, client: Endpoint, server: Endpoint, dir: Direction): void;
  /** Called about once a second with the capture clock. */
  expire?(nowMs: number): void;
  /** End of input: publish everything pending. */
  flush(): void;
}

/**
 * A protocol object may implement both interfaces (DNS runs over UDP and TCP on the same ports): the engine
 * registers it for TCP when `isTcpProtocol` and for UDP when `isUdpProtocol` — both can be true.
 */
export type Protocol = TcpProtocol | UdpProtocol | (TcpProtocol & UdpProtocol);

/**
 * Builds a protocol from its `protocols.<name>` section (`ports`, `send_request`, `send_response`,
 * `transaction_timeout` and protocol options). Config mistakes throw ConfigError.
 */
export type ProtocolFactory = (cfg: ConfigNode, ctx: ProtocolContext) => Protocol;

export function isTcpProtocol(p: Protocol): p is TcpProtocol {
  return 'parse' in p;
}

/** True for plugins that take UDP datagrams (a plugin can be TCP and UDP at once; check both). */
export function isUdpProtocol(p: Protocol): p is UdpProtocol {
  return 'parseUdp' in p;
}
