import type { TcpConnection } from '../protocol.js';
import { NOTE_NO_REQUEST, NOTE_NO_RESPONSE, Status, type Transaction } from '../transaction.js';
import type { HttpConfig } from './config.js';
import { bodyOf, headerValue, type HttpMessage } from './message.js';

const HIDDEN = 'xxxxx';
const FORM = 'application/x-www-form-urlencoded';

/** Builds the transaction of a request and its response; either may be missing (unmatched). */
export function httpTransaction(
  req: HttpMessage | undefined,
  resp: HttpMessage | undefined,
  conn: TcpConnection,
  cfg: HttpConfig,
  extraNotes: readonly string[] = [],
): Transaction {
  const notes: string[] = [];
  const http: Record<string, unknown> = {};
  const t: Transaction = {
    type: 'http',
    transport: 'tcp',
    client: conn.client,
    server: conn.server,
    requestTs: req !== undefined ? req.startTs : (resp as HttpMessage).startTs,
    status: Status.error,
    fields: { http },
  };
  if (req !== undefined) {
    const { path, queryString } = splitUri(req.uri);
    t.method = req.method;
    t.path = path;
    t.query = `${req.method} ${path}`;
    const params: string[] = [];
    if (queryString !== '') params.push(hideParams(queryString, cfg.hideKeywords));
    if (req.contentType === FORM && req.bodyKept > 0) {
      params.push(hideParams(bodyOf(req).toString('utf8').trim(), cfg.hideKeywords));
    }
    if (params.length > 0) t.params = params.join('&');
    t.bytesIn = req.size;
    notes.push(...req.notes);
    if (cfg.realIpHeader !== '') {
      const v = headerValue(req, cfg.realIpHeader);
      if (v !== undefined) {
        const first = (v.split(',')[0] as string).trim();
        if (first !== '') (t.fields as Record<string, unknown>)['real_ip'] = first;
      }
    }
    const h = headerMap(req, cfg, true);
    if (h !== undefined) http['request_headers'] = h;
    if (cfg.sendRequest) t.request = rawText(req, cfg);
  }
  if (resp !== undefined) {
    t.responseTs = resp.endTs;
    t.status = resp.code < 400 ? Status.ok : Status.error;
    t.bytesOut = resp.size;
    http['code'] = resp.code;
    http['phrase'] = resp.phrase;
    http['content_length'] = resp.contentLength !== undefined && !resp.chunked ? resp.contentLength : resp.bodyBytes;
    notes.push(...resp.notes);
    const h = headerMap(resp, cfg, false);
    if (h !== undefined) http['response_headers'] = h;
    if (cfg.sendResponse) t.response = rawText(resp, cfg);
  }
  if (req === undefined) notes.push(NOTE_NO_REQUEST);
  if (resp === undefined) notes.push(NOTE_NO_RESPONSE);
  notes.push(...extraNotes);
  if (notes.length > 0) t.notes = [...new Set(notes)];
  return t;
}

export function splitUri(uri: string): { path: string; queryString: string } {
  const q = uri.indexOf('?');
  if (q < 0) return { path: uri, queryString: '' };
  return { path: uri.slice(0, q), queryString: uri.slice(q + 1) };
}

function decodeKey(k: string): string {
  try {
    return decodeURIComponent(k.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return k.toLowerCase();
  }
}

/** Replaces the values of the `hide_keywords` parameters of a query string / form body by `xxxxx`. */
export function hideParams(qs: string, hide: ReadonlySet<string>): string {
  if (hide.size === 0) return qs;
  return qs
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      return hide.has(decodeKey(key)) ? `${key}=${HIDDEN}` : pair;
    })
    .join('&');
}

function isAuthorization(lower: string): boolean {
  return lower === 'authorization' || lower === 'proxy-authorization';
}

/** `http.request_headers` / `http.response_headers`: lower-cased names, duplicates joined with `, `. */
function headerMap(m: HttpMessage, cfg: HttpConfig, isRequest: boolean): Record<string, unknown> | undefined {
  if (!cfg.sendAllHeaders && cfg.sendHeaders.size === 0) return undefined;
  const out: Record<string, unknown> = {};
  const cookieName = isRequest ? 'cookie' : 'set-cookie';
  for (const [name, value] of m.headers) {
    const lower = name.toLowerCase();
    if (!cfg.sendAllHeaders && !cfg.sendHeaders.has(lower)) continue;
    if (cfg.splitCookie && lower === cookieName) {
      const jar = (out[lower] ??= {}) as Record<string, string>;
      splitCookie(value, isRequest, jar);
      continue;
    }
    const v = cfg.redactAuthorization && isAuthorization(lower) ? '*' : value;
    const prev = out[lower];
    out[lower] = typeof prev === 'string' ? `${prev}, ${v}` : v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** `a=1; b=2` -> {a: '1', b: '2'}; for Set-Cookie only the first pair is the cookie, the rest are attributes. */
function splitCookie(value: string, isRequest: boolean, jar: Record<string, string>): void {
  const parts = value.split(';');
  const pairs = isRequest ? parts : parts.slice(0, 1);
  for (const p of pairs) {
    const eq = p.indexOf('=');
    const k = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (k === '') continue;
    jar[k] = eq < 0 ? '' : p.slice(eq + 1).trim();
  }
}

function includeBody(m: HttpMessage, cfg: HttpConfig): boolean {
  if (m.contentType === '') return false;
  return cfg.includeBodyFor.some((t) => m.contentType.includes(t));
}

/** The message as text for `request` / `response`: start line, headers and, for `include_body_for` types, the body. */
function rawText(m: HttpMessage, cfg: HttpConfig): string {
  let s: string;
  if (m.isRequest) {
    const { path, queryString } = splitUri(m.uri);
    const uri = queryString === '' ? path : `${path}?${hideParams(queryString, cfg.hideKeywords)}`;
    s = `${m.method} ${uri} HTTP/${m.version}\r\n`;
  } else s = `HTTP/${m.version} ${m.code}${m.phrase ? ` ${m.phrase}` : ''}\r\n`;
  for (const [name, value] of m.headers) {
    const v = cfg.redactAuthorization && isAuthorization(name.toLowerCase()) ? '*'.repeat(value.length) : value;
    s += `${name}: ${v}\r\n`;
  }
  s += '\r\n';
  if (m.bodyKept > 0 && includeBody(m, cfg)) {
    let body = bodyOf(m).toString('utf8');
    if (m.isRequest && m.contentType === FORM) body = hideParams(body, cfg.hideKeywords);
    s += body;
  }
  return s;
}

/** Bytes of the body to keep while parsing `m`. */
export function bodyToKeep(m: HttpMessage, cfg: HttpConfig, limit: number, formLimit: number): number {
  const wanted = m.isRequest ? cfg.sendRequest : cfg.sendResponse;
  if (wanted && includeBody(m, cfg)) return limit;
  return m.isRequest && m.contentType === FORM ? formLimit : 0;
}
