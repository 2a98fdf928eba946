import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';

export const HTTP_DEFAULT_PORTS = [80, 8080, 8000, 5000, 8002] as const;

/** Bodies kept for `request` / `response` (`include_body_for`) are cut at this size. */
export const MAX_KEPT_BODY = 1024 * 1024;
/** Form bodies kept only to fill `params` are cut at this size. */
export const MAX_KEPT_FORM = 16 * 1024;

/** `protocols.http.*` (Beats 1.0 options). Names in sets and lists are lower-cased. */
export interface HttpConfig extends CommonProtocolConfig {
  /** Query / form parameters whose values are replaced by `xxxxx`. */
  hideKeywords: Set<string>;
  /** Obscure the Authorization and Proxy-Authorization headers in `request` and in the header maps. */
  redactAuthorization: boolean;
  /** Headers exported in `http.request_headers` / `http.response_headers`. */
  sendHeaders: Set<string>;
  sendAllHeaders: boolean;
  /** Cookie / Set-Cookie exported as maps of cookie name to value. */
  splitCookie: boolean;
  /** Header holding the original client address (e.g. X-Forwarded-For), exported as `real_ip`; '' = none. */
  realIpHeader: string;
  /** Content types (substring match) whose bodies are included in `request` / `response`. */
  includeBodyFor: string[];
}

export function readHttpConfig(cfg: ConfigNode): HttpConfig {
  const common = readCommonConfig(cfg, HTTP_DEFAULT_PORTS);
  const lower = (xs: string[]): string[] => xs.map((x) => x.trim().toLowerCase()).filter((x) => x !== '');
  return {
    ...common,
    hideKeywords: new Set(lower(cfg.strList('hide_keywords', []))),
    redactAuthorization: cfg.bool('redact_authorization', false),
    sendHeaders: new Set(lower(cfg.strList('send_headers', []))),
    sendAllHeaders: cfg.bool('send_all_headers', false),
    splitCookie: cfg.bool('split_cookie', false),
    realIpHeader: cfg.str('real_ip_header', '').trim().toLowerCase(),
    includeBodyFor: lower(cfg.strList('include_body_for', [])),
  };
}
