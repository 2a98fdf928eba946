import { existsSync, readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { ConfigNode } from '../../config/config-node.js';
import { loadTlsOptions } from '../../transport/tls.js';

const DEFAULT_PORT = 9200;

/** Everything `output.elasticsearch` configures, validated. */
export interface EsConfig {
  /** Base URLs without trailing slash, path prefix included: `http://10.0.0.1:9200`, `https://[::1]:9200/es`. */
  hosts: string[];
  username?: string;
  password?: string;
  /** Index base name: events go to `<index>-YYYY.MM.DD`. */
  index: string;
  workers: number;
  loadbalance: boolean;
  maxRetries: number;
  bulkMaxSize: number;
  flushIntervalMs: number;
  timeoutMs: number;
  tls?: ConnectionOptions;
  /** gzip level 0 (off) to 9. */
  compressionLevel: number;
  proxyUrl?: string;
  headers: Record<string, string>;
  /** Ingest pipeline for every event (an event's `meta.pipeline` wins). */
  pipeline?: string;
  backoffInitMs: number;
  backoffMaxMs: number;
  template: TemplateConfig;
}

export interface TemplateConfig {
  enabled: boolean;
  /** Template name, default the beat name. */
  name: string;
  /** Index patterns the generated template applies to, default `<index>-*`. */
  pattern: string;
  overwrite: boolean;
  /** A user JSON template replacing the generated one (read at startup). */
  json?: Record<string, unknown>;
  /** Extra fields files appended to libbeat's and the beat's. */
  fieldsFiles: string[];
  /** `index.*` settings added to the generated template (e.g. number_of_shards). */
  settings: Record<string, unknown>;
}

/**
 * Parses one `hosts` entry (Beats 1.0 rules): `host`, `host:port`, `[v6]:port`, a bare IPv6 address, or a URL
 * `http(s)://host[:port][/path]`. The scheme defaults to `protocol`, the port to 9200; `path` is appended when the
 * URL has none.
 */
export function parseHost(raw: string, protocol: string, path: string): string | undefined {
  const s = raw.trim();
  if (s === '') return undefined;
  let url: URL;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) url = new URL(s);
    else if (!s.startsWith('[') && (s.match(/:/g) ?? []).length > 1) url = new URL(`${protocol}://[${s}]`);
    else url = new URL(`${protocol}://${s}`);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  if (url.port === '') url.port = String(DEFAULT_PORT);
  let p = url.pathname.replace(/\/+$/, '');
  if (p === '' && path !== '') p = `/${path.replace(/^\/+|\/+$/g, '')}`;
  return `${url.protocol}//${url.host}${p}`;
}

function readTemplateJson(node: ConfigNode, key: string, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw node.error(key, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw node.error(key, `${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw node.error(key, `${file} must hold a JSON object`);
  return v as Record<string, unknown>;
}

export function loadEsConfig(cfg: ConfigNode, beatName: string): EsConfig {
  const protocol = cfg.oneOf('protocol', ['http', 'https'], 'http');
  const path = cfg.str('path', '');
  // Beats 1.0 deprecated `host`/`port` pair, still read.
  let rawHosts = cfg.strList('hosts', []);
  if (rawHosts.length === 0 && cfg.has('host')) rawHosts = [`${cfg.str('host')}:${cfg.int('port', DEFAULT_PORT, { min: 1, max: 65535 })}`];
  if (rawHosts.length === 0) rawHosts = ['localhost:9200'];
  const hosts = rawHosts.map((h, i) => {
    const u = parseHost(h, protocol, path);
    if (!u) throw cfg.error(`hosts.${i}`, `must be host, host:port or an http(s) URL, got ${JSON.stringify(h)}`);
    return u;
  });
  const tls = loadTlsOptions(cfg);
  const headers: Record<string, string> = {};
  const hnode = cfg.child('headers');
  for (const k of hnode.keys()) headers[k.toLowerCase()] = hnode.str(k, '');
  const proxyUrl = cfg.str('proxy_url');
  if (proxyUrl !== undefined) {
    try {
      const u = new URL(proxyUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
    } catch {
      throw cfg.error('proxy_url', `must be an http(s) URL like http://proxy:3128, got ${JSON.stringify(proxyUrl)}`);
    }
  }
  const username = cfg.str('username');
  const password = cfg.str('password');
  if (password !== undefined && username === undefined) throw cfg.error('username', 'is required when password is set');
  const index = cfg.str('index', beatName);
  if (index === '' || /[\s"*\\<|,>/?A-Z]/.test(index)) {
    throw cfg.error('index', `must be a non-empty lowercase name without spaces or any of "*\\<|,>/?, got ${JSON.stringify(index)}`);
  }
  const t = cfg.child('template');
  const templatePath = t.str('path');
  const backoff = cfg.child('backoff');
  const backoffInitMs = backoff.durationMs('init', 1000, { min: 1 });
  const settingsNode = t.child('settings');
  const fieldsFiles = t.strList('fields', []);
  fieldsFiles.forEach((f, i) => {
    if (!existsSync(f)) throw t.error(`fields.${i}`, `fields file ${f} does not exist`);
  });
  return {
    hosts,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    index,
    workers: cfg.int('worker', cfg.int('workers', 1, { min: 1, max: 64 }), { min: 1, max: 64 }),
    loadbalance: cfg.bool('loadbalance', true),
    maxRetries: cfg.int('max_retries', 3, { min: -1 }),
    bulkMaxSize: cfg.int('bulk_max_size', 50, { min: 1, max: 1_000_000 }),
    flushIntervalMs: cfg.durationMs('flush_interval', 1000, { min: 0 }),
    timeoutMs: cfg.durationMs('timeout', 90_000, { min: 1 }),
    ...(tls ? { tls } : {}),
    compressionLevel: cfg.int('compression_level', 0, { min: 0, max: 9 }),
    ...(proxyUrl !== undefined ? { proxyUrl } : {}),
    headers,
    ...(cfg.has('pipeline') ? { pipeline: cfg.str('pipeline', '') } : {}),
    backoffInitMs,
    backoffMaxMs: backoff.durationMs('max', 60_000, { min: backoffInitMs }),
    template: {
      enabled: t.bool('enabled', true),
      name: t.str('name', beatName),
      pattern: t.str('pattern', `${index}-*`),
      overwrite: t.bool('overwrite', false),
      ...(templatePath !== undefined ? { json: readTemplateJson(t, 'path', templatePath) } : {}),
      fieldsFiles,
      settings: settingsNode.raw,
    },
  };
}
