import type { ConnectionOptions } from 'node:tls';
import type { BeatEvent } from '../../common/event.js';
import { eventType } from '../../common/event.js';
import { BeatsError } from '../../common/errors.js';
import type { Logger } from '../../logp/logger.js';
import type { Counter, Gauge } from '../../monitoring/registry.js';
import type { Batch } from '../../publisher/batch.js';
import { encodeEvent } from '../codec/json.js';
import { encodeCompressedAsync, encodeJsonFrames, encodeWindow } from '../../lumberjack/encoder.js';
import type { OutputClient } from '../output.js';
import type { HostPort } from './config.js';
import { LumberjackConnection, type InflightWindow } from './connection.js';
import { AdaptiveWindow } from './window.js';

/** Consecutive ACK timeouts after which the connection is considered dead and reopened. */
export const MAX_TIMEOUTS = 3;

export interface LogstashClientOptions {
  host: HostPort;
  index: string;
  timeoutMs: number;
  bulkMaxSize: number;
  compressionLevel: number;
  pipelining: number;
  tls: ConnectionOptions | undefined;
  log: Logger;
  metrics?: LogstashMetrics;
  /** First window size (Beats: 10). */
  startWindow?: number;
}

export interface LogstashMetrics {
  acked: Counter;
  timeouts: Counter;
  reconnects: Counter;
  windowSize: Gauge;
  bytes: Counter;
}

interface Sent {
  /** Index of the window's first event in the batch. */
  start: number;
  w: InflightWindow;
}

/**
 * `output.logstash` client: one lumberjack v2 connection to one host. A batch is cut into windows of the adaptive
 * window's size; each window is one `W` frame followed by the events as `J` frames, zlib-compressed into one `C`
 * frame unless `compression_level` is 0. Up to `pipelining` windows are in flight.
 *
 * - ACK in time: the window grows (by half, up to bulk_max_size).
 * - ACK timeout: the window halves, and the unacknowledged rest of the batch is sent again on the same
 *   connection (at-least-once: the receiver may have the first copy). After 3 timeouts in a row the connection is
 *   closed and publish throws, so the pipeline reconnects with backoff (or fails over).
 * - Connection lost: acknowledged events count as delivered, the rest go back with `retryEvents`, publish throws.
 */
export class LogstashClient implements OutputClient {
  readonly name: string;
  readonly window: AdaptiveWindow;
  #conn: LumberjackConnection | undefined;
  #timeouts = 0;
  readonly #o: LogstashClientOptions;
  readonly #metaByType = new Map<string, string>();

  constructor(o: LogstashClientOptions) {
    this.#o = o;
    this.name = `logstash(${o.host.host}:${o.host.port}${o.tls ? ', tls' : ''})`;
    this.window = new AdaptiveWindow(o.bulkMaxSize, o.startWindow);
    o.metrics?.windowSize.set(this.window.size);
  }

  async connect(signal: AbortSignal): Promise<void> {
    this.#conn?.close();
    this.#conn = await LumberjackConnection.open(this.#o.host, this.#o.tls, this.#o.timeoutMs, signal);
    this.#timeouts = 0;
  }

  async close(): Promise<void> {
    this.#conn?.close();
    this.#conn = undefined;
  }

  async test(signal: AbortSignal): Promise<string> {
    const c = await LumberjackConnection.open(this.#o.host, this.#o.tls, this.#o.timeoutMs, signal);
    c.close();
    return `connected to ${this.#o.host.host}:${this.#o.host.port}${this.#o.tls ? ' (TLS handshake ok)' : ''}`;
  }

  async publish(batch: Batch): Promise<void> {
    const conn = this.#conn;
    if (conn === undefined || conn.closedReason !== undefined) {
      // Nothing was sent: put the batch back without counting an attempt, and make the worker reconnect.
      batch.cancelled();
      throw new BeatsError('BEAT_ERR_CLOSED', conn?.closedReason ?? 'not connected');
    }
    const events = batch.events;
    if (events.length === 0) return batch.ack();
    const o = this.#o;
    const m = o.metrics;
    let done = 0; // events [0, done) are acknowledged
    let next = 0; // first event not sent in the current round
    let sent: Sent[] = [];
    while (done < events.length) {
      while (next < events.length && sent.length < o.pipelining) {
        const n = Math.min(this.window.size, events.length - next);
        const bytes = await this.#encode(events, next, n);
        if (m) for (const b of bytes) m.bytes.inc(b.length);
        sent.push({ start: next, w: conn.send(n, bytes) });
        next += n;
      }
      const head = sent[0]!;
      const r = await head.w.result;
      if (r === 'acked') {
        done = head.start + head.w.count;
        sent.shift();
        this.#timeouts = 0;
        this.window.grow(head.w.count);
        m?.acked.inc(head.w.count);
        m?.windowSize.set(this.window.size);
        continue;
      }
      done = head.start + head.w.acked;
      m?.acked.inc(head.w.acked);
      if (r === 'timeout') {
        this.#timeouts++;
        m?.timeouts.inc();
        this.window.shrink();
        m?.windowSize.set(this.window.size);
        o.log.warn(
          `No ACK from ${o.host.host}:${o.host.port} within ${o.timeoutMs} ms (${this.#timeouts} in a row); window now ${this.window.size}.`,
        );
        if (this.#timeouts < MAX_TIMEOUTS) {
          // Resend the unacknowledged rest on this connection with the smaller window.
          sent = [];
          next = done;
          continue;
        }
        m?.reconnects.inc();
        conn.close();
        this.#conn = undefined;
        this.#giveBack(batch, done);
        throw new BeatsError('BEAT_ERR_TIMEOUT', `no ACK from ${o.host.host}:${o.host.port} for ${MAX_TIMEOUTS} windows in a row; reconnecting`);
      }
      this.#conn = undefined;
      conn.close();
      m?.reconnects.inc();
      this.#giveBack(batch, done);
      throw new BeatsError('BEAT_ERR_CONNECT', `${conn.closedReason ?? 'connection lost'} (${done} of ${events.length} events acknowledged)`);
    }
    batch.ack();
  }

  #giveBack(batch: Batch, done: number): void {
    if (done === 0) batch.retry();
    else batch.retryEvents(batch.events.slice(done));
  }

  #meta(event: BeatEvent): string {
    const type = eventType(event);
    const index = event.meta?.index;
    if (index !== undefined) return `"@metadata":${JSON.stringify({ beat: index, type })}`;
    let s = this.#metaByType.get(type);
    if (s === undefined) {
      s = `"@metadata":${JSON.stringify({ beat: this.#o.index, type })}`;
      if (this.#metaByType.size < 1024) this.#metaByType.set(type, s);
    }
    return s;
  }

  async #encode(events: readonly BeatEvent[], start: number, n: number): Promise<Buffer[]> {
    const docs = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const e = events[start + i]!;
      docs[i] = encodeEvent(e, this.#meta(e));
    }
    const frames = encodeJsonFrames(docs, 1);
    const win = encodeWindow(n);
    if (this.#o.compressionLevel === 0) return [win, frames];
    return [win, ...(await encodeCompressedAsync(frames, this.#o.compressionLevel))];
  }
}
