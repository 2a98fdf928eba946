import type { Batch } from '../../publisher/batch.js';
import type { BeatEvent } from '../../common/event.js';
import { BeatsError } from '../../common/errors.js';
import type { Logger } from '../../logp/logger.js';
import type { Counter, Registry } from '../../monitoring/registry.js';
import type { OutputClient } from '../output.js';
import type { EsConfig } from './config.js';
import { EsConnection } from './connection.js';
import { BulkEncoder } from './bulk-encoder.js';
import { BULK_FILTER_PATH, NO_ERRORS, parseBulkResponse } from './bulk-response.js';
import { atLeast, parseVersion, typeMode, type EsVersion } from './version.js';

/** Installs the index template once per output (shared by its clients); see src/libbeat/template/loader.ts. */
export interface TemplateHook {
  ensure(conn: EsConnection, version: EsVersion, signal: AbortSignal): Promise<void>;
}

/** Counters of one ES output (names as Beats 1.x reports them, under `libbeat.es.`). */
export interface EsMetrics {
  acked: Counter;
  retried: Counter;
  dropped: Counter;
  bulkCalls: Counter;
  writeBytes: Counter;
  readBytes: Counter;
}

export function esMetrics(r: Registry): EsMetrics {
  return {
    acked: r.counter('libbeat.es.published_and_acked_events'),
    retried: r.counter('libbeat.es.published_but_not_acked_events'),
    dropped: r.counter('libbeat.es.dropped_events'),
    bulkCalls: r.counter('libbeat.es.call_count.PublishEvents'),
    writeBytes: r.counter('libbeat.es.publish.write_bytes'),
    readBytes: r.counter('libbeat.es.publish.read_bytes'),
  };
}

/**
 * One Elasticsearch client: a keep-alive connection to one host. `connect()` reads the cluster version (`GET /`)
 * and installs the template; `publish()` sends the batch as one `_bulk` request and classifies each item:
 * 2xx/409 done, 429/5xx sent again (only those), other 4xx dropped, counted and logged with the reason.
 * A 429/502/503/504 (or any 5xx) for the whole request retries the batch; a network error or timeout throws, so the
 * pipeline closes this client, backs off and reconnects (another host's client takes the batches meanwhile).
 */
export class EsClient implements OutputClient {
  readonly name: string;
  readonly #cfg: EsConfig;
  readonly #conn: EsConnection;
  readonly #log: Logger;
  readonly #m: EsMetrics;
  readonly #template: TemplateHook | undefined;
  #version: EsVersion | undefined;
  #encoder: BulkEncoder | undefined;
  #contentType = 'application/x-ndjson';
  #bulkPath = '/_bulk';

  constructor(cfg: EsConfig, url: string, log: Logger, metrics: EsMetrics, template?: TemplateHook) {
    this.name = `elasticsearch(${url})`;
    this.#cfg = cfg;
    this.#log = log;
    this.#m = metrics;
    this.#template = template;
    this.#conn = new EsConnection({
      url,
      ...(cfg.username !== undefined ? { username: cfg.username } : {}),
      ...(cfg.password !== undefined ? { password: cfg.password } : {}),
      headers: cfg.headers,
      timeoutMs: cfg.timeoutMs,
      ...(cfg.tls ? { tls: cfg.tls } : {}),
      ...(cfg.proxyUrl !== undefined ? { proxyUrl: cfg.proxyUrl } : {}),
      compressionLevel: cfg.compressionLevel,
    });
  }

  get version(): EsVersion | undefined {
    return this.#version;
  }

  /** `GET /`: the cluster's version and name. Any status but 200 is a connection failure naming it. */
  async #ping(signal: AbortSignal): Promise<{ version: EsVersion; cluster: string }> {
    const res = await this.#conn.request('GET', '/', undefined, undefined, signal);
    if (res.status === 401 || res.status === 403) {
      throw new BeatsError('BEAT_ERR_CONNECT', `${this.#conn.url} refused the credentials (HTTP ${res.status}); check username and password`);
    }
    if (res.status !== 200) throw new BeatsError('BEAT_ERR_CONNECT', `GET ${this.#conn.url}/ answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
    let info: { version?: { number?: unknown; distribution?: unknown }; cluster_name?: unknown };
    try {
      info = JSON.parse(res.body) as typeof info;
    } catch {
      throw new BeatsError('BEAT_ERR_PROTOCOL', `${this.#conn.url} is not Elasticsearch: GET / did not answer JSON`);
    }
    const num = info.version?.number;
    const dist = info.version?.distribution;
    const v = typeof num === 'string' ? parseVersion(num, typeof dist === 'string' ? dist : undefined) : undefined;
    if (!v) throw new BeatsError('BEAT_ERR_PROTOCOL', `${this.#conn.url} is not Elasticsearch: GET / has no version.number`);
    return { version: v, cluster: typeof info.cluster_name === 'string' ? info.cluster_name : '?' };
  }

  async connect(signal: AbortSignal): Promise<void> {
    const { version } = await this.#ping(signal);
    this.#version = version;
    this.#encoder = new BulkEncoder({
      index: this.#cfg.index,
      types: typeMode(version),
      ...(this.#cfg.pipeline !== undefined ? { pipeline: this.#cfg.pipeline } : {}),
    });
    // ES before 5.0 does not know application/x-ndjson.
    this.#contentType = atLeast(version, 5) ? 'application/x-ndjson' : 'application/json';
    // filter_path exists since 1.6.
    this.#bulkPath = atLeast(version, 1, 6) ? `/_bulk?${BULK_FILTER_PATH}` : '/_bulk';
    if (this.#template) await this.#template.ensure(this.#conn, version, signal);
  }

  async test(signal: AbortSignal): Promise<string> {
    try {
      const { version, cluster } = await this.#ping(signal);
      return `Elasticsearch ${version.text}, cluster ${cluster}`;
    } finally {
      await this.#conn.close();
    }
  }

  async publish(batch: Batch): Promise<void> {
    const events = batch.events;
    if (events.length === 0) return batch.ack();
    if (!this.#encoder) await this.connect(AbortSignal.timeout(this.#cfg.timeoutMs));
    const r = await this.#bulk(events);
    this.#m.acked.inc(r.acked);
    if (r.dropped > 0) {
      this.#m.dropped.inc(r.dropped);
      this.#log.error(`Elasticsearch will not index ${r.dropped} of ${events.length} events; dropped them (first: ${r.dropReason ?? '?'}).`);
    }
    if (r.retry.length === 0) return batch.ack();
    this.#m.retried.inc(r.retry.length);
    if (this.#log.isDebug) this.#log.debug(`${r.retry.length} of ${events.length} events failed temporarily (first: ${r.retryReason ?? '?'}).`);
    return r.retry.length === events.length ? batch.retry() : batch.retryEvents(r.retry);
  }

  /**
   * One `_bulk` request for `events` (a 413 splits it in halves, down to single events, which are then dropped:
   * they can never be accepted). Throws on network errors and refused credentials.
   */
  async #bulk(events: readonly BeatEvent[]): Promise<BulkOutcome> {
    const out: BulkOutcome = { acked: 0, dropped: 0, retry: [] };
    const { body, sent, unencodable } = this.#encoder!.encode(events);
    if (unencodable.length > 0) {
      out.dropped += unencodable.length;
      out.dropReason ??= 'cannot be encoded as JSON';
    }
    if (sent.length === 0) return out;
    this.#m.bulkCalls.inc();
    this.#m.writeBytes.inc(body.length);
    let res;
    try {
      res = await this.#conn.send('POST', this.#bulkPath, body, { contentType: this.#contentType, okPrefix: NO_ERRORS });
    } catch (err) {
      // The aborted request may still reference the body buffer: let the encoder allocate a new one.
      this.#encoder?.release();
      throw err;
    }
    this.#m.readBytes.inc(res.bytes);
    if (res.status === 413) {
      if (sent.length === 1) {
        out.dropped++;
        out.dropReason ??= `status 413: the event is larger than the cluster accepts (http.max_content_length)`;
        return out;
      }
      const half = sent.length >> 1;
      for (const part of [sent.slice(0, half), sent.slice(half)]) mergeOutcome(out, await this.#bulk(part));
      return out;
    }
    if (res.status !== 200) {
      this.#wholeRequestFailed(res.status, res.body);
      out.retry.push(...sent);
      out.retryReason ??= `HTTP ${res.status}`;
      return out;
    }
    const result = parseBulkResponse(res.body, sent.length, res.prefixOk);
    if (!result) {
      this.#log.warn(`${this.name}: unreadable bulk response (${res.body.slice(0, 120)}); sending the events again.`);
      out.retry.push(...sent);
      out.retryReason ??= 'unreadable bulk response';
      return out;
    }
    for (let i = 0; i < sent.length; i++) {
      const o = result.outcomes[i];
      if (o === 'ok') out.acked++;
      else if (o === 'drop') out.dropped++;
      else out.retry.push(sent[i]!);
    }
    if (result.firstDropReason !== undefined) out.dropReason ??= result.firstDropReason;
    if (result.firstRetryReason !== undefined) out.retryReason ??= result.firstRetryReason;
    return out;
  }

  #wholeRequestFailed(status: number, body: string): void {
    if (status === 401 || status === 403) {
      throw new BeatsError('BEAT_ERR_CONNECT', `bulk request refused (HTTP ${status}): check username, password and privileges`);
    }
    const what = `${this.name}: bulk request failed with HTTP ${status} (${body.slice(0, 200).replace(/\s+/g, ' ')})`;
    if (status === 429 || status >= 500) this.#log.warn(`${what}; sending the batch again.`);
    else this.#log.error(`${what}; sending the batch again.`);
  }

  async close(): Promise<void> {
    this.#encoder = undefined;
    this.#version = undefined;
    await this.#conn.close();
  }
}

interface BulkOutcome {
  acked: number;
  dropped: number;
  retry: BeatEvent[];
  dropReason?: string;
  retryReason?: string;
}

function mergeOutcome(into: BulkOutcome, from: BulkOutcome): void {
  into.acked += from.acked;
  into.dropped += from.dropped;
  into.retry.push(...from.retry);
  if (from.dropReason !== undefined) into.dropReason ??= from.dropReason;
  if (from.retryReason !== undefined) into.retryReason ??= from.retryReason;
}
