import type { BeatEvent } from '../../common/event.js';
import { eventType } from '../../common/event.js';
import { BeatsError } from '../../common/errors.js';
import type { Batch } from '../../publisher/batch.js';
import { encodeCompressedAsync, encodeEventFrames, encodeWindow } from '../../lumberjack/encoder.js';
import type { OutputClient } from '../output.js';
import { LumberjackConnection, type InflightWindow } from './connection.js';
import { LogstashLink, type LinkOptions } from './link.js';
import type { AdaptiveWindow } from './window.js';

/** Consecutive ACK timeouts after which the connection is considered dead and reopened. */
export const MAX_TIMEOUTS = 3;

export interface LogstashClientOptions extends LinkOptions {
  index: string;
  compressionLevel: number;
  /** Windows of one batch in flight before waiting for the oldest ACK (default 1). */
  windowsInFlight?: number;
}

interface Sent {
  /** Index of the window's first event in the batch. */
  start: number;
  w: InflightWindow;
}

/**
 * `output.logstash` client: sends batches over a lumberjack v2 link to one host. A batch is cut into windows of
 * the link's adaptive window size; each window is one `W` frame followed by the events as `J` frames,
 * zlib-compressed into one `C` frame unless `compression_level` is 0.
 *
 * - ACK in time: the window grows (by half, up to bulk_max_size).
 * - ACK timeout: the window halves and the unacknowledged rest of the batch is sent again on the same connection
 *   (at-least-once: the receiver may have the first copy). After 3 timeouts in a row the connection is closed and
 *   publish throws, so the pipeline reconnects with backoff (or fails over).
 * - Connection lost: acknowledged events count as delivered, the rest go back with `retryEvents`, publish throws.
 *
 * Several clients may share one link (`pipelining`): each has one batch in flight on the same connection.
 */
export class LogstashClient implements OutputClient {
  readonly name: string;
  readonly link: LogstashLink;
  #conn: LumberjackConnection | undefined;
  readonly #index: string;
  readonly #level: number;
  readonly #inFlight: number;
  readonly #metaByType = new Map<string, string>();
  readonly #metaFn = (e: BeatEvent): string => this.#meta(e);

  constructor(o: LogstashClientOptions | LogstashLink, extra?: Omit<LogstashClientOptions, keyof LinkOptions>, suffix = '') {
    if (o instanceof LogstashLink) {
      this.link = o;
      this.#index = extra!.index;
      this.#level = extra!.compressionLevel;
      this.#inFlight = extra!.windowsInFlight ?? 1;
    } else {
      this.link = new LogstashLink(o);
      this.#index = o.index;
      this.#level = o.compressionLevel;
      this.#inFlight = o.windowsInFlight ?? 1;
    }
    this.name = `logstash(${this.link.label}${this.link.o.tls ? ', tls' : ''})${suffix}`;
  }

  get window(): AdaptiveWindow {
    return this.link.window;
  }

  async connect(signal: AbortSignal): Promise<void> {
    this.#conn = await this.link.open(signal);
  }

  async close(): Promise<void> {
    this.#conn?.close();
    this.#conn = undefined;
  }

  async test(signal: AbortSignal): Promise<string> {
    const o = this.link.o;
    // A connection of its own: the link's may be carrying batches.
    const c = await LumberjackConnection.open(o.host, o.tls, o.timeoutMs, signal);
    c.close();
    return `connected to ${this.link.label}${o.tls ? ' (TLS handshake ok)' : ''}`;
  }

  async publish(batch: Batch): Promise<void> {
    // Another client sharing the link may already have replaced a lost connection: use that one.
    if (this.#conn !== undefined && this.#conn.closedReason !== undefined && this.link.current !== undefined) this.#conn = this.link.current;
    const c0 = this.#conn;
    // Reopen without a retry round when the old connection has nothing outstanding: it outlived `ttl`, or the
    // receiver closed it while idle (Logstash drops clients quiet for client_inactivity_timeout).
    const idleClosed = c0 !== undefined && c0.closedReason !== undefined && c0.closedIdle;
    if (c0 !== undefined && (idleClosed || (c0.closedReason === undefined && this.link.expired(c0)))) {
      c0.close();
      try {
        this.#conn = await this.link.open();
      } catch (err) {
        this.#conn = undefined;
        batch.cancelled();
        throw err;
      }
    }
    const conn = this.#conn;
    if (conn === undefined || conn.closedReason !== undefined) {
      // Nothing was sent: put the batch back without counting an attempt, and make the worker reconnect.
      batch.cancelled();
      throw new BeatsError('BEAT_ERR_CLOSED', conn?.closedReason ?? 'not connected');
    }
    const events = batch.events;
    if (events.length === 0) return batch.ack();
    const link = this.link;
    const m = link.o.metrics;
    let done = 0; // events [0, done) are acknowledged
    let next = 0; // first event not sent in the current round
    let sent: Sent[] = [];
    while (done < events.length) {
      while (next < events.length && sent.length < this.#inFlight) {
        const n = Math.min(link.window.size, events.length - next);
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
        link.acked(head.w.count);
        continue;
      }
      done = head.start + head.w.acked;
      m?.acked.inc(head.w.acked);
      if (r === 'timeout' && link.timeouts < MAX_TIMEOUTS) {
        // Resend the unacknowledged rest on this connection, with the window the timeout halved.
        sent = [];
        next = done;
        continue;
      }
      conn.close();
      if (this.#conn === conn) this.#conn = undefined;
      m?.reconnects.inc();
      if (done === 0) batch.retry();
      else batch.retryEvents(events.slice(done));
      if (r === 'timeout') {
        throw new BeatsError('BEAT_ERR_TIMEOUT', `no ACK from ${link.label} for ${MAX_TIMEOUTS} windows in a row; reconnecting`);
      }
      throw new BeatsError('BEAT_ERR_CONNECT', `${conn.closedReason ?? 'connection lost'} (${done} of ${events.length} events acknowledged)`);
    }
    batch.ack();
  }

  #meta(event: BeatEvent): string {
    const type = eventType(event);
    const index = event.meta?.index;
    if (index !== undefined) return `"@metadata":${JSON.stringify({ beat: index, type })}`;
    let s = this.#metaByType.get(type);
    if (s === undefined) {
      s = `"@metadata":${JSON.stringify({ beat: this.#index, type })}`;
      if (this.#metaByType.size < 1024) this.#metaByType.set(type, s);
    }
    return s;
  }

  async #encode(events: readonly BeatEvent[], start: number, n: number): Promise<Buffer[]> {
    const frames = encodeEventFrames(events, start, n, this.#metaFn);
    const win = encodeWindow(n);
    if (this.#level === 0) return [win, frames];
    return [win, ...(await encodeCompressedAsync(frames, this.#level))];
  }
}
