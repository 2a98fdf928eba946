import { startEsServer, type EsServerOptions, type EsTestServer } from '../../support/es-server/server.js';

/** A document as read back from a cluster. */
export interface FoundDoc {
  _index: string;
  _type?: string;
  _source: Record<string, unknown>;
}

/**
 * What the integration tests need from an Elasticsearch: its URL and version, a way to read documents and templates
 * back and to clean up. Either the test server of this repo (with fault injection) or a real cluster at ES_URL.
 */
export interface Cluster {
  readonly kind: 'test-server' | 'real';
  readonly url: string;
  readonly major: number;
  readonly minor: number;
  /** Only for the test server: faults and counters. */
  readonly server?: EsTestServer;
  /** Credentials taken from ES_URL (`http://user:pass@host:9200`). */
  readonly username?: string;
  readonly password?: string;
  /** Refreshes and returns up to 10 000 documents of the indices matching `pattern`. */
  search(pattern: string): Promise<FoundDoc[]>;
  /** The stored template body, or undefined. */
  template(api: '_template' | '_index_template', name: string): Promise<Record<string, unknown> | undefined>;
  reset(indexPattern: string, templateName: string): Promise<void>;
  close(): Promise<void>;
}

async function http(base: string, auth: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const headers: Record<string, string> = {};
  if (auth) headers['authorization'] = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

function restCluster(kind: Cluster['kind'], url: string, username: string | undefined, password: string | undefined, major: number, minor: number, server?: EsTestServer): Cluster {
  const auth = username !== undefined ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` : undefined;
  return {
    kind,
    url,
    major,
    minor,
    ...(server ? { server } : {}),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    async search(pattern) {
      await http(url, auth, 'POST', `/${pattern}/_refresh`);
      const r = await http(url, auth, 'POST', `/${pattern}/_search`, { size: 10000, query: { match_all: {} } });
      if (r.status === 404) return [];
      const hits = (r.json as { hits?: { hits?: FoundDoc[] } }).hits?.hits;
      if (!hits) throw new Error(`search ${pattern}: HTTP ${r.status} ${JSON.stringify(r.json).slice(0, 300)}`);
      return hits;
    },
    async template(api, name) {
      const r = await http(url, auth, 'GET', `/${api}/${name}`);
      if (r.status !== 200) return undefined;
      const j = r.json as Record<string, unknown>;
      if (api === '_index_template') return (j['index_templates'] as { index_template: Record<string, unknown> }[] | undefined)?.[0]?.index_template;
      return j[name] as Record<string, unknown> | undefined;
    },
    async reset(indexPattern, templateName) {
      // Delete by exact names: 8.x refuses wildcard deletes by default (action.destructive_requires_name).
      const cat = await http(url, auth, 'GET', `/_cat/indices/${indexPattern}?format=json&h=index`);
      const names = Array.isArray(cat.json) ? (cat.json as { index: string }[]).map((i) => i.index) : [];
      for (const name of names) await http(url, auth, 'DELETE', `/${encodeURIComponent(name)}`);
      if (major > 7 || (major === 7 && minor >= 8)) await http(url, auth, 'DELETE', `/_index_template/${templateName}`);
      await http(url, auth, 'DELETE', `/_template/${templateName}`);
    },
    close: async () => server?.close(),
  };
}

export async function testServerCluster(opts: EsServerOptions = {}): Promise<Cluster> {
  const s = await startEsServer(opts);
  return restCluster('test-server', s.url, opts.auth?.username, opts.auth?.password, s.major, s.minor, s);
}

/** The cluster at ES_URL, or a reason why there is none (printed by the skipping test). */
export async function realCluster(): Promise<Cluster | string> {
  const raw = process.env['ES_URL'];
  if (!raw) return 'ES_URL is not set (e.g. ES_URL=http://elastic:changeme@127.0.0.1:9200); real-cluster tests skipped';
  const u = new URL(raw);
  const username = u.username ? decodeURIComponent(u.username) : undefined;
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.username = '';
  u.password = '';
  const url = u.toString().replace(/\/+$/, '');
  const auth = username !== undefined ? `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` : undefined;
  let info;
  try {
    info = await http(url, auth, 'GET', '/');
  } catch (err) {
    return `ES_URL=${url} is not reachable: ${(err as Error).message}`;
  }
  const num = (info.json as { version?: { number?: string } } | undefined)?.version?.number;
  if (info.status !== 200 || !num) return `ES_URL=${url} answered HTTP ${info.status} to GET /`;
  const [major, minor] = num.split('.').map(Number);
  return restCluster('real', url, username, password, major ?? 0, minor ?? 0);
}
