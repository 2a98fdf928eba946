import { ConfigError } from '../common/errors.js';
import { parseDuration } from './duration.js';

type Raw = Record<string, unknown>;

/**
 * A typed, validating view of one section of a loaded YAML config.
 *
 * Every accessor takes the option's key relative to this node and a default; a value of the wrong type or out of
 * range throws a ConfigError that names the file, the full option path and what was expected, e.g.
 * `topbeat.yml: input.period: must be a positive number, got -5`.
 * Keys use the Beats YAML spelling (snake_case). A dotted key (`files.path`) reads nested objects.
 */
export class ConfigNode {
  readonly file: string | undefined;
  readonly path: string;
  readonly raw: Raw;

  constructor(raw: unknown, file?: string, path = '') {
    this.raw = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Raw) : {};
    this.file = file;
    this.path = path;
  }

  /** Full dotted path of a key below this node, for messages. */
  pathOf(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  error(key: string, message: string): ConfigError {
    return new ConfigError(this.file, this.pathOf(key), message);
  }

  /** The raw value at a (possibly dotted) key, or undefined. A YAML `null` counts as absent. */
  get(key: string): unknown {
    let v: unknown = this.raw[key];
    if (v === undefined && key.includes('.')) {
      let cur: unknown = this.raw;
      for (const part of key.split('.')) {
        if (cur === null || typeof cur !== 'object') return undefined;
        cur = (cur as Raw)[part];
      }
      v = cur;
    }
    return v === null ? undefined : v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  keys(): string[] {
    return Object.keys(this.raw);
  }

  /** A sub-section. Absent gives an empty node; a scalar where a section is expected is an error. */
  child(key: string): ConfigNode {
    const v = this.get(key);
    if (v !== undefined && (typeof v !== 'object' || Array.isArray(v))) {
      throw this.error(key, `must be a section (key: value pairs), got ${describe(v)}`);
    }
    return new ConfigNode(v ?? {}, this.file, this.pathOf(key));
  }

  /** A list of sub-sections (e.g. `filebeat.prospectors`). */
  children(key: string): ConfigNode[] {
    const v = this.get(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) throw this.error(key, `must be a list, got ${describe(v)}`);
    return v.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        throw new ConfigError(this.file, `${this.pathOf(key)}.${i}`, `must be a section, got ${describe(item)}`);
      }
      return new ConfigNode(item, this.file, `${this.pathOf(key)}.${i}`);
    });
  }

  str(key: string, def: string): string;
  str(key: string, def?: string): string | undefined;
  str(key: string, def?: string): string | undefined {
    const v = this.get(key);
    if (v === undefined) return def;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw this.error(key, `must be a string, got ${describe(v)}`);
  }

  /** A string restricted to a set of values. */
  oneOf<T extends string>(key: string, allowed: readonly T[], def: T): T {
    const v = this.str(key, def);
    if (!(allowed as readonly string[]).includes(v)) {
      throw this.error(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.get(key);
    if (v === undefined) return def;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'yes' || v === 'on') return true;
    if (v === 'false' || v === 'no' || v === 'off') return false;
    throw this.error(key, `must be true or false, got ${describe(v)}`);
  }

  num(key: string, def: number, opts: NumOpts = {}): number {
    const v = this.get(key);
    if (v === undefined) return def;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (!Number.isFinite(n)) throw this.error(key, `must be a number, got ${describe(v)}`);
    checkRange(this, key, n, opts, v);
    return n;
  }

  int(key: string, def: number, opts: NumOpts = {}): number {
    const n = this.num(key, def, opts);
    if (!Number.isInteger(n)) throw this.error(key, `must be a whole number, got ${n}`);
    return n;
  }

  /**
   * A duration in milliseconds. Accepts Go-style strings (`10s`, `1m30s`, `500ms`, `24h`) and plain numbers, which
   * are read in `unit` (seconds for Beats 1.0 options like `period` and `flush_interval`).
   */
  durationMs(key: string, defMs: number, opts: NumOpts & { unit?: 's' | 'ms' } = {}): number {
    const v = this.get(key);
    if (v === undefined) return defMs;
    let ms: number;
    if (typeof v === 'number') ms = v * (opts.unit === 'ms' ? 1 : 1000);
    else if (typeof v === 'string') {
      const parsed = parseDuration(v, opts.unit ?? 's');
      if (parsed === undefined) throw this.error(key, `must be a duration like 10s, 5m or 24h, got ${describe(v)}`);
      ms = parsed;
    } else throw this.error(key, `must be a duration like 10s, 5m or 24h, got ${describe(v)}`);
    checkRange(this, key, ms, opts, v);
    return ms;
  }

  /** A list of strings; a single string is accepted as a one-element list. */
  strList(key: string, def: string[]): string[] {
    const v = this.get(key);
    if (v === undefined) return def;
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v)) throw this.error(key, `must be a list of strings, got ${describe(v)}`);
    return v.map((item, i) => {
      if (typeof item === 'string') return item;
      if (typeof item === 'number' || typeof item === 'boolean') return String(item);
      throw new ConfigError(this.file, `${this.pathOf(key)}.${i}`, `must be a string, got ${describe(item)}`);
    });
  }

  /** A list of integers (e.g. `ports: [80, 8080]`); a single number is accepted. */
  intList(key: string, def: number[], opts: NumOpts = {}): number[] {
    const v = this.get(key);
    if (v === undefined) return def;
    const arr = Array.isArray(v) ? v : [v];
    return arr.map((item, i) => {
      const n = typeof item === 'number' ? item : typeof item === 'string' ? Number(item) : NaN;
      const p = `${key}.${i}`;
      if (!Number.isInteger(n)) throw this.error(p, `must be a whole number, got ${describe(item)}`);
      checkRange(this, p, n, opts, item);
      return n;
    });
  }

  /** A compiled regular expression; an invalid one is a config error naming the option. */
  regexp(key: string, def?: string): RegExp | undefined {
    const s = this.str(key, def);
    if (s === undefined) return undefined;
    return compileRegexp(this, key, s);
  }

  regexpList(key: string, def: string[]): RegExp[] {
    return this.strList(key, def).map((s, i) => compileRegexp(this, `${key}.${i}`, s));
  }
}

export interface NumOpts {
  min?: number;
  max?: number;
  /** Message when below min, e.g. "must be a positive number". */
  minMessage?: string;
}

function checkRange(node: ConfigNode, key: string, n: number, opts: NumOpts, shown: unknown): void {
  if (opts.min !== undefined && n < opts.min) {
    throw node.error(key, `${opts.minMessage ?? `must be at least ${opts.min}`}, got ${describe(shown)}`);
  }
  if (opts.max !== undefined && n > opts.max) {
    throw node.error(key, `must be at most ${opts.max}, got ${describe(shown)}`);
  }
}

/**
 * Compiles a Beats (Go RE2) regexp. RE2's `(?i)` leading flag is translated to JS's `i` flag; anything JS rejects
 * is reported with the option path.
 */
export function compileRegexp(node: ConfigNode, key: string, source: string): RegExp {
  let flags = '';
  let src = source;
  const m = /^\(\?([imsU]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    for (const f of m[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
  }
  try {
    return new RegExp(src, flags);
  } catch (err) {
    throw node.error(key, `is not a valid regular expression (${JSON.stringify(source)}): ${(err as Error).message}`);
  }
}

export function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a section';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}
