import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../../logp/logger.js';
import type { Counter, Gauge } from '../../monitoring/registry.js';
import type { HostPort } from './config.js';
import { LumberjackConnection } from './connection.js';
import { AdaptiveWindow } from './window.js';

export interface LogstashMetrics {
  acked: Counter;
  timeouts: Counter;
  reconnects: Counter;
  windowSize: Gauge;
  bytes: Counter;
}

export interface LinkOptions {
  host: HostPort;
  timeoutMs: number;
  bulkMaxSize: number;
  tls: ConnectionOptions | undefined;
  log: Logger;
  metrics?: LogstashMetrics;
  /** First window size (Beats: 10). */
  startWindow?: number;
  /** Reopen a connection older than this (ms) between batches, so a fronting load balancer can rebalance; 0 = never. */
  ttlMs?: number;
}

/**
 * One lumberjack connection to one host and its adaptive window, shared by the `pipelining` clients that send
 * batches over it concurrently (their windows interleave on the wire; ACKs come back in order and the connection
 * matches them). Opening is shared too: the first client to find the connection gone opens the next one.
 */
export class LogstashLink {
  readonly o: LinkOptions;
  readonly window: AdaptiveWindow;
  /** ACK timeouts in a row on the current connection. */
  timeouts = 0;
  #conn: LumberjackConnection | undefined;
  #opening: Promise<LumberjackConnection> | undefined;

  constructor(o: LinkOptions) {
    this.o = o;
    this.window = new AdaptiveWindow(o.bulkMaxSize, o.startWindow);
    o.metrics?.windowSize.set(this.window.size);
  }

  get label(): string {
    return `${this.o.host.host}:${this.o.host.port}`;
  }

  /** The open connection, if there is one. */
  get current(): LumberjackConnection | undefined {
    const c = this.#conn;
    return c !== undefined && c.closedReason === undefined ? c : undefined;
  }

  /** Whether the connection outlived `ttl` and nothing is waiting on it: time to replace it. */
  expired(c: LumberjackConnection): boolean {
    const ttl = this.o.ttlMs ?? 0;
    return ttl > 0 && c.inflight === 0 && Date.now() - c.openedAt >= ttl;
  }

  /** The open connection, or a new one. */
  open(signal?: AbortSignal): Promise<LumberjackConnection> {
    const c = this.#conn;
    if (c !== undefined && c.closedReason === undefined) return Promise.resolve(c);
    this.#opening ??= LumberjackConnection.open(this.o.host, this.o.tls, this.o.timeoutMs, signal)
      .then((conn) => {
        this.#conn = conn;
        this.timeouts = 0;
        conn.onTimeout = () => this.#timedOut();
        return conn;
      })
      .finally(() => (this.#opening = undefined));
    return this.#opening;
  }

  /** A window was acknowledged in full and in time. */
  acked(count: number): void {
    this.timeouts = 0;
    this.window.grow(count);
    this.o.metrics?.acked.inc(count);
    this.o.metrics?.windowSize.set(this.window.size);
  }

  #timedOut(): void {
    this.timeouts++;
    this.window.shrink();
    this.o.metrics?.timeouts.inc();
    this.o.metrics?.windowSize.set(this.window.size);
    this.o.log.warn(`No ACK from ${this.label} within ${this.o.timeoutMs} ms (${this.timeouts} in a row); window now ${this.window.size}.`);
  }
}
