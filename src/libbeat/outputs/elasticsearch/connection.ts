import { Client, ProxyAgent, type Dispatcher } from 'undici';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { ConnectionOptions } from 'node:tls';
import { BeatsError } from '../../common/errors.js';

const gzipAsync = promisify(gzip);

export interface ConnectionOptionsEs {
  /** Base URL, path prefix included, no trailing slash. */
  url: string;
  username?: string;
  password?: string;
  headers: Record<string, string>;
  timeoutMs: number;
  tls?: ConnectionOptions;
  proxyUrl?: string;
  /** gzip level for request bodies; 0 = off. */
  compressionLevel: number;
}

export interface EsResponse {
  status: number;
  body: string;
}

/**
 * One keep-alive HTTP connection to one Elasticsearch host, through undici (a `Client`: one socket, reused; or a
 * `ProxyAgent` when `proxy_url` is set). Opened by `open()`, destroyed by `close()`, reopened by the next `open()`.
 * Every request carries basic auth and the configured headers; bodies are gzipped when `compression_level` > 0.
 * Network failures and timeouts reject with a BeatsError; any HTTP status resolves.
 */
export class EsConnection {
  readonly url: string;
  readonly #origin: string;
  readonly #prefix: string;
  readonly #opts: ConnectionOptionsEs;
  readonly #baseHeaders: Record<string, string>;
  #dispatcher: Dispatcher | undefined;

  constructor(opts: ConnectionOptionsEs) {
    this.#opts = opts;
    this.url = opts.url;
    const u = new URL(opts.url);
    this.#origin = u.origin;
    this.#prefix = u.pathname === '/' ? '' : u.pathname;
    const h: Record<string, string> = { ...opts.headers };
    if (opts.username !== undefined) {
      h['authorization'] = `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}`;
    }
    this.#baseHeaders = h;
  }

  #open(): Dispatcher {
    if (this.#dispatcher) return this.#dispatcher;
    const common = { keepAliveTimeout: 60_000, headersTimeout: this.#opts.timeoutMs, bodyTimeout: this.#opts.timeoutMs };
    if (this.#opts.proxyUrl !== undefined) {
      this.#dispatcher = new ProxyAgent({
        uri: this.#opts.proxyUrl,
        ...(this.#opts.tls ? { requestTls: this.#opts.tls } : {}),
        ...common,
      });
    } else {
      this.#dispatcher = new Client(this.#origin, { ...common, ...(this.#opts.tls ? { connect: this.#opts.tls } : {}) });
    }
    return this.#dispatcher;
  }

  /**
   * Sends one request. `body` strings are sent as UTF-8 (gzipped if configured). `contentType` defaults to JSON.
   */
  async request(method: Dispatcher.HttpMethod, path: string, body?: string | Buffer, contentType = 'application/json', signal?: AbortSignal): Promise<EsResponse> {
    const d = this.#open();
    const headers: Record<string, string> = { ...this.#baseHeaders };
    let payload: Buffer | string | undefined = body;
    if (body !== undefined) {
      headers['content-type'] = contentType;
      if (this.#opts.compressionLevel > 0) {
        payload = await gzipAsync(typeof body === 'string' ? Buffer.from(body) : body, { level: this.#opts.compressionLevel });
        headers['content-encoding'] = 'gzip';
      }
    }
    const timer = AbortSignal.timeout(this.#opts.timeoutMs);
    const sig = signal ? AbortSignal.any([signal, timer]) : timer;
    try {
      const res = await d.request({
        origin: this.#origin,
        path: this.#prefix + path,
        method,
        headers,
        body: payload ?? null,
        signal: sig,
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text };
    } catch (err) {
      const e = err as Error & { code?: string };
      if (timer.aborted) throw new BeatsError('BEAT_ERR_TIMEOUT', `${method} ${this.url}${path} timed out after ${this.#opts.timeoutMs} ms`, { cause: err });
      throw new BeatsError('BEAT_ERR_CONNECT', `${method} ${this.url}${path}: ${e.code ? `${e.code} ` : ''}${e.message}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    const d = this.#dispatcher;
    this.#dispatcher = undefined;
    if (d) await d.destroy().catch(() => {});
  }
}
