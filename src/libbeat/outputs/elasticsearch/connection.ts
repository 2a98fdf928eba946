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
  /** The body, or only its beginning when it matched `okPrefix`. */
  body: string;
  /** Bytes received. */
  bytes: number;
  /** The body began with `okPrefix` (the rest was read and discarded, never decoded). */
  prefixOk?: boolean;
}

export interface RequestOptions {
  contentType?: string;
  signal?: AbortSignal;
  /**
   * When the body's first bytes match this, the rest is not decoded: a successful bulk response repeats one short
   * item per document, and decoding it was the largest cost after encoding (bench/elasticsearch).
   */
  okPrefix?: RegExp;
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
  /** Requests answered on the current connection (0 = fresh). */
  #served = 0;

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
    return this.send(method, path, body, { contentType, ...(signal ? { signal } : {}) });
  }

  async send(method: Dispatcher.HttpMethod, path: string, body: string | Buffer | undefined, opts: RequestOptions = {}): Promise<EsResponse> {
    const contentType = opts.contentType ?? 'application/json';
    const signal = opts.signal;
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
    // A keep-alive connection the server (or a load balancer) closed while idle fails the next request at once;
    // that request is sent once more on a new connection instead of failing the batch and backing off.
    for (let attempt = 0; ; attempt++) {
      const reused = this.#served > 0;
      const dispatcher = attempt === 0 ? d : this.#open();
      try {
        const res = await dispatcher.request({
          origin: this.#origin,
          path: this.#prefix + path,
          method,
          headers,
          body: payload ?? null,
          signal: sig,
        });
        const out = await readBody(res.statusCode, res.body, opts.okPrefix);
        this.#served++;
        return out;
      } catch (err) {
        const e = err as Error & { code?: string };
        if (timer.aborted) throw new BeatsError('BEAT_ERR_TIMEOUT', `${method} ${this.url}${path} timed out after ${this.#opts.timeoutMs} ms`, { cause: err });
        if (attempt === 0 && reused && !sig.aborted && STALE_CODES.has(e.code ?? '')) {
          await this.close();
          continue;
        }
        throw new BeatsError('BEAT_ERR_CONNECT', `${method} ${this.url}${path}: ${e.code ? `${e.code} ` : ''}${e.message}`, { cause: err });
      }
    }
  }

  async close(): Promise<void> {
    const d = this.#dispatcher;
    this.#dispatcher = undefined;
    this.#served = 0;
    if (d) await d.destroy().catch(() => {});
  }
}

const PREFIX_BYTES = 64;

/** Errors of a request sent on a connection the other side had already closed. */
const STALE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

async function readBody(status: number, body: AsyncIterable<Buffer>, okPrefix: RegExp | undefined): Promise<EsResponse> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let checked = okPrefix === undefined;
  let ok = false;
  for await (const chunk of body) {
    bytes += chunk.length;
    if (ok) continue;
    chunks.push(chunk);
    if (!checked && bytes >= PREFIX_BYTES) {
      checked = true;
      const head = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).subarray(0, PREFIX_BYTES).toString('latin1');
      if (okPrefix!.test(head)) {
        ok = true;
        chunks.length = 0;
        chunks.push(Buffer.from(head, 'latin1'));
      }
    }
  }
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  if (!ok && okPrefix !== undefined && !checked) ok = okPrefix.test(text);
  return { status, body: text, bytes, ...(ok ? { prefixOk: true } : {}) };
}
