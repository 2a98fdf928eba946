import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import type { BeatEvent } from '../../common/event.js';
import { BeatsError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../logp/logger.js';
import type { Counter } from '../../monitoring/registry.js';
import type { Batch } from '../../publisher/batch.js';
import { encodeEvent } from '../codec/json.js';
import type { OutputClient } from '../output.js';
import type { HostPort } from '../logstash/config.js';
import type { KeyFormat } from './key.js';

export interface RedisClientOptions {
  host: HostPort;
  password: string | undefined;
  db: number;
  timeoutMs: number;
  key: KeyFormat;
  /** Key for events whose key format references a missing field. */
  fallbackKey: string;
  datatype: 'list' | 'channel';
  tls: ConnectionOptions | undefined;
  log: Logger;
  metrics?: { acked: Counter; failed: Counter };
}

/**
 * `output.redis` client (ioredis): one connection to one Redis server. A batch becomes one pipeline: per key one
 * `RPUSH key doc…` (datatype list, atomic per key) or one `PUBLISH key doc` per event (channel). Events whose key
 * got an error reply go back with `retryEvents`; a lost connection or timeout throws so the pipeline reconnects
 * with backoff (`reconnect_interval`). ioredis's own reconnection and offline queue are off: the pipeline owns
 * retries, and a command is never silently replayed.
 */
export class RedisClient implements OutputClient {
  readonly name: string;
  #redis: Redis | undefined;
  readonly #o: RedisClientOptions;

  constructor(o: RedisClientOptions) {
    this.#o = o;
    this.name = `redis(${o.host.host}:${o.host.port}${o.tls ? ', tls' : ''})`;
  }

  #options(): RedisOptions {
    const o = this.#o;
    return {
      host: o.host.host,
      port: o.host.port,
      ...(o.password !== undefined ? { password: o.password } : {}),
      db: o.db,
      connectTimeout: o.timeoutMs,
      commandTimeout: o.timeoutMs,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableReadyCheck: true,
      ...(o.tls ? { tls: o.tls } : {}),
    };
  }

  async connect(signal: AbortSignal): Promise<void> {
    this.#drop();
    const r = new Redis(this.#options());
    // Errors surface through the failing command or connect(); without a listener ioredis would log them. The
    // last one is kept: when AUTH or SELECT fails, connect() only says "Connection is closed".
    let lastError: unknown;
    r.on('error', (err: unknown) => void (lastError = err));
    const onAbort = (): void => r.disconnect();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await r.connect();
    } catch (err) {
      r.disconnect();
      const why = lastError !== undefined && errorMessage(lastError) !== errorMessage(err) ? `${errorMessage(lastError)} (${errorMessage(err)})` : errorMessage(err);
      throw new BeatsError('BEAT_ERR_CONNECT', `cannot connect to Redis at ${this.#o.host.host}:${this.#o.host.port}: ${why}`);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    this.#redis = r;
  }

  async close(): Promise<void> {
    const r = this.#redis;
    this.#redis = undefined;
    if (r === undefined) return;
    try {
      if (r.status === 'ready') await r.quit();
      else r.disconnect();
    } catch {
      r.disconnect();
    }
  }

  #drop(): void {
    this.#redis?.disconnect();
    this.#redis = undefined;
  }

  async test(signal: AbortSignal): Promise<string> {
    await this.connect(signal);
    try {
      const pong = await this.#redis!.ping();
      return `connected to ${this.#o.host.host}:${this.#o.host.port} db ${this.#o.db} (PING: ${pong})`;
    } finally {
      await this.close();
    }
  }

  async publish(batch: Batch): Promise<void> {
    const r = this.#redis;
    if (r === undefined || r.status !== 'ready') {
      batch.cancelled();
      this.#drop();
      throw new BeatsError('BEAT_ERR_CLOSED', 'not connected to Redis');
    }
    const events = batch.events;
    if (events.length === 0) return batch.ack();
    const groups = this.#group(events);
    if (this.#o.datatype === 'list' && groups.size === 1) return this.#pushOne(r, batch, groups);
    const p = r.pipeline();
    const order: BeatEvent[][] = [];
    if (this.#o.datatype === 'list') {
      for (const [key, g] of groups) {
        p.rpush(key, ...g.docs);
        order.push(g.events);
      }
    } else {
      for (const [key, g] of groups) {
        for (let i = 0; i < g.docs.length; i++) {
          p.publish(key, g.docs[i]!);
          order.push([g.events[i]!]);
        }
      }
    }
    let results: [Error | null, unknown][] | null;
    try {
      results = await p.exec();
    } catch (err) {
      batch.retry();
      this.#drop();
      throw new BeatsError('BEAT_ERR_CONNECT', `Redis ${this.#o.host.host}:${this.#o.host.port}: ${errorMessage(err)}`);
    }
    const failed: BeatEvent[] = [];
    let firstError: Error | undefined;
    if (results === null) {
      batch.retry();
      this.#drop();
      throw new BeatsError('BEAT_ERR_CONNECT', 'Redis pipeline aborted');
    }
    for (let i = 0; i < order.length; i++) {
      const err = results[i]?.[0];
      if (err) {
        firstError ??= err;
        failed.push(...order[i]!);
      }
    }
    const m = this.#o.metrics;
    m?.acked.inc(events.length - failed.length);
    if (failed.length === 0) return batch.ack();
    m?.failed.inc(failed.length);
    const msg = errorMessage(firstError);
    // A dropped connection fails every command of the pipeline: reconnect. A reply error (WRONGTYPE, OOM,
    // READONLY…) keeps the connection: the events are sent again after backoff.
    if (failed.length === events.length) batch.retry();
    else batch.retryEvents(failed);
    if (r.status !== 'ready' || /Connection is closed|Stream isn't writeable|timed out|ECONNRESET|EPIPE/i.test(msg)) {
      this.#drop();
      throw new BeatsError('BEAT_ERR_CONNECT', `Redis ${this.#o.host.host}:${this.#o.host.port}: ${msg}`);
    }
    this.#o.log.error(`Redis ${this.#o.host.host}:${this.#o.host.port} refused ${failed.length} events: ${msg}.`);
  }

  /** The common case, every event for one list: a plain RPUSH, without a pipeline around it. */
  async #pushOne(r: Redis, batch: Batch, groups: Map<string, { docs: string[] }>): Promise<void> {
    const [key, g] = groups.entries().next().value as [string, { docs: string[] }];
    const where = `Redis ${this.#o.host.host}:${this.#o.host.port}`;
    try {
      await r.rpush(key, ...g.docs);
    } catch (err) {
      batch.retry();
      this.#o.metrics?.failed.inc(g.docs.length);
      if ((err as Error).name === 'ReplyError' && r.status === 'ready') {
        this.#o.log.error(`${where} refused ${g.docs.length} events: ${errorMessage(err)}.`);
        return;
      }
      this.#drop();
      throw new BeatsError('BEAT_ERR_CONNECT', `${where}: ${errorMessage(err)}`);
    }
    this.#o.metrics?.acked.inc(g.docs.length);
    batch.ack();
  }

  #group(events: readonly BeatEvent[]): Map<string, { docs: string[]; events: BeatEvent[] }> {
    const groups = new Map<string, { docs: string[]; events: BeatEvent[] }>();
    for (const e of events) {
      const key = e.meta?.index ?? this.#o.key(e) ?? this.#o.fallbackKey;
      let g = groups.get(key);
      if (g === undefined) {
        g = { docs: [], events: [] };
        groups.set(key, g);
      }
      g.docs.push(encodeEvent(e));
      g.events.push(e);
    }
    return groups;
  }
}
