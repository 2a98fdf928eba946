import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import type { EsFaults } from './faults.js';
import { checkDocument, templateFieldTypes, type FieldTypes } from './mapping-check.js';

export interface EsServerOptions {
  /** `version.number` answered at `GET /` (default 8.11.1). */
  version?: string;
  /** Required basic-auth credentials; without, any request is accepted. */
  auth?: { username: string; password: string };
  /** Serve HTTPS with this PEM key/certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  faults?: EsFaults;
  /**
   * Benchmark mode: `_bulk` counts the items and answers success without parsing or storing documents (a cluster
   * that keeps up), so a benchmark measures the client. Faults still apply.
   */
  countOnly?: boolean;
  /** Serve below this path (as behind a reverse proxy): `/es`; other paths answer 404. */
  pathPrefix?: string;
}

export interface StoredDoc {
  _index: string;
  _type?: string;
  _id: string;
  _source: Record<string, unknown>;
  pipeline?: string;
}

export interface RequestLog {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
}

export interface EsServerStats {
  bulkRequests: number;
  items: number;
  indexed: number;
  answered503: number;
  answered429: number;
  mappingRejected: number;
  droppedConnections: number;
  typeRejected: number;
}

/**
 * An HTTP server that answers like Elasticsearch for what the beats use, per the public REST API docs: `GET /`
 * (chosen version), legacy `_template` and composable `_index_template` (HEAD/GET/PUT/DELETE), `_bulk` with NDJSON
 * (gzip too) and per-item statuses, `_search`/`_count`/`_refresh`/`DELETE <index>` over wildcard patterns (for
 * tests to read back), and `_cat/indices`. Version rules: `_type` in a bulk action is a 400 for the whole request
 * on 8.x+, and required before 7.0; 6.x indices hold one type. Mapping errors come from the `faults` and from
 * the numeric/boolean/date fields of installed templates matching the index.
 */
export class EsTestServer {
  readonly server: Server;
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  faults: EsFaults;
  readonly indices = new Map<string, StoredDoc[]>();
  readonly indexTypes = new Map<string, string>();
  readonly templates = new Map<string, Record<string, unknown>>();
  readonly indexTemplates = new Map<string, Record<string, unknown>>();
  readonly requests: RequestLog[] = [];
  readonly stats: EsServerStats = { bulkRequests: 0, items: 0, indexed: 0, answered503: 0, answered429: 0, mappingRejected: 0, droppedConnections: 0, typeRejected: 0 };
  /** Keep request logs (headers) for the last N requests only. */
  logLimit = 200;
  /** Keep documents (tests read them); the benchmark turns this off. */
  storeDocs = true;
  readonly #countOnly: boolean;
  readonly #okBodies = new Map<number, string>();
  #ids = 0;
  #itemCounter = 0;
  readonly #auth: string | undefined;
  readonly #scheme: string;
  readonly #prefix: string;

  constructor(opts: EsServerOptions = {}) {
    this.#countOnly = opts.countOnly ?? false;
    this.#prefix = (opts.pathPrefix ?? '').replace(/\/+$/, '');
    this.version = opts.version ?? '8.11.1';
    const [maj, min] = this.version.split('.').map(Number);
    this.major = maj ?? 8;
    this.minor = min ?? 0;
    this.faults = { ...(opts.faults ?? {}) };
    this.#auth = opts.auth ? `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString('base64')}` : undefined;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.#handle(req, res);
    this.server = opts.tls ? createHttpsServer({ key: opts.tls.key, cert: opts.tls.cert }, handler) : createHttpServer(handler);
    this.server.keepAliveTimeout = 60_000;
    this.#scheme = opts.tls ? 'https' : 'http';
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return this.url;
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `${this.#scheme}://127.0.0.1:${a.port}${this.#prefix}`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every stored document of the indices matching a pattern (`testbeat-*`), index order then arrival order. */
  docs(pattern = '*'): StoredDoc[] {
    const re = patternRe(pattern);
    const out: StoredDoc[] = [];
    for (const [name, docs] of [...this.indices].sort((a, b) => a[0].localeCompare(b[0]))) if (re.test(name)) out.push(...docs);
    return out;
  }

  #json(res: ServerResponse, status: number, body: unknown, head = false): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), 'x-elastic-product': 'Elasticsearch' });
    res.end(head ? undefined : text);
  }

  #error(res: ServerResponse, status: number, type: string, reason: string): void {
    this.#json(res, status, { error: { root_cause: [{ type, reason }], type, reason }, status });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.#prefix !== '') {
      if (url.pathname !== this.#prefix && !url.pathname.startsWith(`${this.#prefix}/`)) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        return void res.end(`not found (serving below ${this.#prefix})`);
      }
      url.pathname = url.pathname.slice(this.#prefix.length) || '/';
    }
    const method = req.method ?? 'GET';
    if (this.requests.length >= this.logLimit) this.requests.shift();
    this.requests.push({ method, path: url.pathname + url.search, headers: req.headers, bytes: raw.length });
    if (this.#auth !== undefined && req.headers['authorization'] !== this.#auth) {
      res.setHeader('www-authenticate', 'Basic realm="security" charset="UTF-8"');
      return this.#error(res, 401, 'security_exception', 'missing authentication credentials for REST request');
    }
    if (req.headers['content-encoding'] === 'gzip') {
      try {
        raw = gunzipSync(raw);
      } catch {
        return this.#error(res, 400, 'parse_exception', 'cannot decompress request body');
      }
    }
    const body = raw.toString('utf8');
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    try {
      if (parts.length === 0) return this.#root(res, method);
      if (parts[parts.length - 1] === '_bulk') return await this.#bulk(req, res, body, parts.length === 2 ? parts[0] : undefined, url);
      if (parts[0] === '_template' || parts[0] === '_index_template') return this.#template(res, method, parts[0], parts[1], body);
      if (parts[0] === '_cat' && parts[1] === 'indices') {
        const re = patternRe(parts[2] ?? '*');
        return this.#json(res, 200, [...this.indices].filter(([index]) => re.test(index)).map(([index, docs]) => ({ index, 'docs.count': String(docs.length) })));
      }
      if (parts.length === 2 && parts[1] === '_refresh') return this.#json(res, 200, { _shards: { total: 1, successful: 1, failed: 0 } });
      if (parts.length === 2 && parts[1] === '_count') return this.#json(res, 200, { count: this.docs(parts[0]).length });
      if (parts.length === 2 && parts[1] === '_search') return this.#search(res, parts[0]!, body, url);
      if (parts.length === 1 && method === 'DELETE') {
        const re = patternRe(parts[0]!);
        for (const k of [...this.indices.keys()]) if (re.test(k)) this.indices.delete(k);
        return this.#json(res, 200, { acknowledged: true });
      }
      return this.#error(res, 400, 'illegal_argument_exception', `no handler found for uri [${url.pathname}] and method [${method}]`);
    } catch (err) {
      return this.#error(res, 500, 'exception', String(err));
    }
  }

  #root(res: ServerResponse, method: string): void {
    this.#json(
      res,
      200,
      {
        name: 'es-test-node',
        cluster_name: 'es-test',
        cluster_uuid: 'es-test-uuid',
        version: { number: this.version, build_flavor: 'default', lucene_version: '9.0.0' },
        tagline: 'You Know, for Search',
      },
      method === 'HEAD',
    );
  }

  #template(res: ServerResponse, method: string, api: string, name: string | undefined, body: string): void {
    const composable = api === '_index_template';
    if (composable && (this.major < 7 || (this.major === 7 && this.minor < 8))) {
      return this.#error(res, 400, 'illegal_argument_exception', `no handler found for uri [/_index_template/${name ?? ''}]`);
    }
    const store = composable ? this.indexTemplates : this.templates;
    if (name === undefined) return this.#json(res, 200, Object.fromEntries(store));
    switch (method) {
      case 'HEAD':
        res.writeHead(store.has(name) ? 200 : 404, { 'content-length': 0 });
        return void res.end();
      case 'GET': {
        const t = store.get(name);
        if (!t) return this.#error(res, 404, 'resource_not_found_exception', `index template matching [${name}] not found`);
        return this.#json(res, 200, composable ? { index_templates: [{ name, index_template: t }] } : { [name]: t });
      }
      case 'PUT':
      case 'POST': {
        let t: unknown;
        try {
          t = JSON.parse(body);
        } catch {
          return this.#error(res, 400, 'parse_exception', 'request body is required to be JSON');
        }
        const tt = t as Record<string, unknown>;
        if (this.major >= 6 && !Array.isArray(tt['index_patterns'])) {
          return this.#error(res, 400, 'action_request_validation_exception', 'Validation Failed: 1: index patterns are missing;');
        }
        if (this.major < 6 && typeof tt['template'] !== 'string') {
          return this.#error(res, 400, 'action_request_validation_exception', 'Validation Failed: 1: template is missing;');
        }
        store.set(name, tt);
        return this.#json(res, 200, { acknowledged: true });
      }
      case 'DELETE':
        store.delete(name);
        return this.#json(res, 200, { acknowledged: true });
      default:
        return this.#error(res, 405, 'method_not_allowed', `Incorrect HTTP method for uri [/${api}/${name}] and method [${method}]`);
    }
  }

  /** Field types the installed templates (matching `index`) and the faults impose. */
  #fieldTypes(index: string): FieldTypes {
    const types: FieldTypes = new Map();
    for (const t of [...this.templates.values(), ...this.indexTemplates.values()]) {
      const patterns = (t['index_patterns'] as string[] | undefined) ?? (typeof t['template'] === 'string' ? [t['template']] : []);
      if (patterns.some((p) => patternRe(p).test(index))) templateFieldTypes(t, types);
    }
    for (const [f, ty] of Object.entries(this.faults.mappingErrors ?? {})) types.set(f, ty);
    return types;
  }

  async #bulk(req: IncomingMessage, res: ServerResponse, body: string, pathIndex: string | undefined, url: URL): Promise<void> {
    this.stats.bulkRequests++;
    const f = this.faults;
    if ((f.dropFirst ?? 0) > 0) {
      f.dropFirst!--;
      this.stats.droppedConnections++;
      req.socket.destroy();
      return;
    }
    if ((f.delayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, f.delayMs));
    if ((f.fail503First ?? 0) > 0) {
      f.fail503First!--;
      this.stats.answered503++;
      return this.#error(res, 503, 'unavailable_shards_exception', 'primary shard is not active (test fault)');
    }
    if ((f.maxContentLength ?? 0) > 0 && Buffer.byteLength(body) > f.maxContentLength!) {
      return this.#error(res, 413, 'content_too_long_exception', `request body is too large (limit ${f.maxContentLength} bytes)`);
    }
    const filtered = (url.searchParams.get('filter_path') ?? '').includes('items.*.status');
    if (this.#countOnly) return this.#countBulk(res, body, filtered);
    const lines = body.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    const t0 = Date.now();
    const items: Record<string, unknown>[] = [];
    let errors = false;
    const typesCache = new Map<string, FieldTypes>();
    for (let i = 0; i < lines.length; i += 2) {
      let action: Record<string, Record<string, unknown>>;
      try {
        action = JSON.parse(lines[i]!) as typeof action;
      } catch {
        return this.#error(res, 400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected START_OBJECT`);
      }
      const op = Object.keys(action)[0] ?? '';
      if (op !== 'index' && op !== 'create') {
        return this.#error(res, 400, 'illegal_argument_exception', `Malformed action/metadata line [${i + 1}], expected field [create], [delete], [index] or [update] but found [${op}]`);
      }
      const meta = action[op] ?? {};
      if (this.major >= 8 && '_type' in meta) {
        this.stats.typeRejected++;
        return this.#error(res, 400, 'illegal_argument_exception', `Action/metadata line [${i + 1}] contains an unknown parameter [_type]`);
      }
      const type = typeof meta['_type'] === 'string' ? meta['_type'] : undefined;
      if (this.major < 7 && type === undefined) {
        this.stats.typeRejected++;
        return this.#error(res, 400, 'action_request_validation_exception', `Validation Failed: ${i / 2 + 1}: type is missing;`);
      }
      const index = (typeof meta['_index'] === 'string' ? meta['_index'] : pathIndex) ?? '';
      const id = typeof meta['_id'] === 'string' ? meta['_id'] : `id${++this.#ids}`;
      const base: Record<string, unknown> = { _index: index, ...(type !== undefined ? { _type: type } : {}), _id: id };
      const item = (status: number, extra: Record<string, unknown>) => {
        if (status >= 300) errors = true;
        items.push({ [op]: { ...base, status, ...extra } });
      };
      this.stats.items++;
      const docLine = lines[i + 1];
      if (index === '' || index !== index.toLowerCase() || index.startsWith('_')) {
        item(400, { error: { type: 'invalid_index_name_exception', reason: `Invalid index name [${index}], must be lowercase` } });
        continue;
      }
      const k = f.every429 ?? 0;
      if (k > 0 && ++this.#itemCounter % k === 0) {
        this.stats.answered429++;
        item(429, { error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of coordinating operation (test fault)' } });
        continue;
      }
      let doc: unknown;
      try {
        doc = JSON.parse(docLine ?? '');
      } catch {
        item(400, { error: { type: 'mapper_parsing_exception', reason: 'failed to parse', caused_by: { type: 'json_parse_exception', reason: 'Unexpected character' } } });
        continue;
      }
      if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
        item(400, { error: { type: 'mapper_parsing_exception', reason: 'failed to parse, document is empty' } });
        continue;
      }
      let types = typesCache.get(index);
      if (!types) typesCache.set(index, (types = this.#fieldTypes(index)));
      const bad = checkDocument(doc as Record<string, unknown>, types);
      if (bad) {
        this.stats.mappingRejected++;
        item(400, {
          error: { type: 'mapper_parsing_exception', reason: `failed to parse field [${bad.field}] of type [${bad.type}] in document with id '${id}'. Preview of field's value: '${String(bad.value)}'` },
        });
        continue;
      }
      if (this.major === 6 && type !== undefined) {
        const had = this.indexTypes.get(index);
        if (had !== undefined && had !== type) {
          item(400, { error: { type: 'illegal_argument_exception', reason: `Rejecting mapping update to [${index}] as the final mapping would have more than 1 type: [${had}, ${type}]` } });
          continue;
        }
        this.indexTypes.set(index, type);
      }
      const pipeline = (typeof meta['pipeline'] === 'string' ? meta['pipeline'] : undefined) ?? url.searchParams.get('pipeline') ?? undefined;
      if (this.storeDocs) {
        let list = this.indices.get(index);
        if (!list) this.indices.set(index, (list = []));
        list.push({ ...(base as { _index: string; _id: string; _type?: string }), _source: doc as Record<string, unknown>, ...(pipeline ? { pipeline } : {}) });
      } else if (!this.indices.has(index)) this.indices.set(index, []);
      this.stats.indexed++;
      item(201, { _version: 1, result: 'created', _shards: { total: 1, successful: 1, failed: 0 }, _seq_no: 0, _primary_term: 1 });
    }
    if (filtered) {
      // filter_path=errors,items.*.status,items.*.error keeps only those keys.
      const slim = items.map((it) => {
        const [op, v] = Object.entries(it)[0] as [string, Record<string, unknown>];
        return { [op]: { status: v['status'], ...(v['error'] ? { error: v['error'] } : {}) } };
      });
      return this.#json(res, 200, { errors, items: slim });
    }
    this.#json(res, 200, { took: Date.now() - t0, errors, items });
  }

  #countBulk(res: ServerResponse, body: string, filtered: boolean): void {
    let lines = 0;
    for (let i = body.indexOf('\n'); i !== -1; i = body.indexOf('\n', i + 1)) lines++;
    const n = lines >> 1;
    this.stats.items += n;
    this.stats.indexed += n;
    const key = filtered ? -n : n;
    let text = this.#okBodies.get(key);
    if (text === undefined) {
      const item = filtered ? '{"index":{"status":201}}' : '{"index":{"_index":"bench","_id":"x","_version":1,"result":"created","status":201}}';
      text = `{${filtered ? '' : '"took":1,'}"errors":false,"items":[${new Array<string>(n).fill(item).join(',')}]}`;
      this.#okBodies.set(key, text);
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  #search(res: ServerResponse, pattern: string, body: string, url: URL): void {
    let size = Number(url.searchParams.get('size') ?? 10);
    if (body.trim() !== '') {
      const q = JSON.parse(body) as { size?: number };
      if (typeof q.size === 'number') size = q.size;
    }
    const docs = this.docs(pattern);
    this.#json(res, 200, {
      took: 1,
      timed_out: false,
      hits: {
        total: this.major >= 7 ? { value: docs.length, relation: 'eq' } : docs.length,
        hits: docs.slice(0, size).map((d) => ({ _index: d._index, ...(d._type ? { _type: d._type } : {}), _id: d._id, _source: d._source })),
      },
    });
  }
}

/** `topbeat-*,x` style index patterns as a RegExp. */
export function patternRe(pattern: string): RegExp {
  const alts = pattern.split(',').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*'));
  return new RegExp(`^(?:${alts.join('|')})$`);
}

/** Starts a server on 127.0.0.1 and a free port. */
export async function startEsServer(opts: EsServerOptions = {}): Promise<EsTestServer> {
  const s = new EsTestServer(opts);
  await s.listen();
  return s;
}
