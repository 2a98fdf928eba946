import { BeatsError } from '../common/errors.js';
import type { Logger } from '../logp/logger.js';
import type { BuiltTemplate, TargetVersion } from './template.js';

/** The HTTP a template loader needs (the ES output's connection provides it). */
export interface TemplateHttp {
  readonly url: string;
  request(method: 'GET' | 'HEAD' | 'PUT', path: string, body?: string, contentType?: string, signal?: AbortSignal): Promise<{ status: number; body: string }>;
}

/**
 * Installs a beat's index template once per process (per output): on the first successful connection the loader
 * checks whether the template exists (`HEAD`) and `PUT`s it when missing or when `overwrite` is set. A failure
 * rejects (the connection fails and is retried with backoff); after one success other clients skip the check.
 */
export class TemplateLoader {
  readonly #build: (v: TargetVersion) => BuiltTemplate;
  readonly #overwrite: boolean;
  readonly #log: Logger;
  #done: Promise<void> | undefined;

  constructor(build: (v: TargetVersion) => BuiltTemplate, overwrite: boolean, log: Logger) {
    this.#build = build;
    this.#overwrite = overwrite;
    this.#log = log;
  }

  ensure(http: TemplateHttp, v: TargetVersion, signal?: AbortSignal): Promise<void> {
    if (!this.#done) {
      this.#done = this.#install(http, v, signal);
      // Let the next connection try again after a failure.
      this.#done.catch(() => (this.#done = undefined));
    }
    return this.#done;
  }

  async #install(http: TemplateHttp, v: TargetVersion, signal?: AbortSignal): Promise<void> {
    const t = this.#build(v);
    const path = `/${t.api}/${encodeURIComponent(t.name)}`;
    if (!this.#overwrite) {
      const head = await http.request('HEAD', path, undefined, undefined, signal);
      if (head.status === 200) {
        this.#log.info(`Index template ${t.name} already exists at ${http.url}; not overwritten.`);
        return;
      }
      if (head.status !== 404) throw new BeatsError('BEAT_ERR_CONNECT', `checking template ${t.name}: HEAD ${path} answered HTTP ${head.status}`);
    }
    const res = await http.request('PUT', path, JSON.stringify(t.body), 'application/json', signal);
    if (res.status < 200 || res.status >= 300) {
      throw new BeatsError('BEAT_ERR_CONNECT', `installing template ${t.name}: PUT ${path} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    this.#log.info(`Installed index template ${t.name} (${t.api}) at ${http.url}.`);
  }
}
