import { readFileSync } from 'node:fs';
import { parse, parseDocument } from 'yaml';
import { ConfigError } from '../common/errors.js';
import { ConfigNode } from './config-node.js';

export interface LoadOptions {
  /** `-E key=value` overrides, applied after the file (dotted keys, values read as YAML scalars). */
  overrides?: readonly string[];
  /** Environment for `${VAR}` expansion; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Loads a beat's YAML config file: parse (errors carry the file, line and column), expand `${VAR}` and
 * `${VAR:default}` in string values, apply `-E` overrides. Returns the root ConfigNode.
 */
export function loadConfigFile(file: string, opts: LoadOptions = {}): ConfigNode {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new ConfigError(file, '', `cannot read the config file (${why})`);
  }
  return loadConfigText(text, file, opts);
}

export function loadConfigText(text: string, file: string, opts: LoadOptions = {}): ConfigNode {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = e.linePos?.[0];
    const where = pos ? `line ${pos.line}, column ${pos.col}` : 'unknown position';
    throw new ConfigError(file, '', `invalid YAML at ${where}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  let raw: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, '', 'the config must be a YAML mapping of sections (key: value)');
  }
  raw = expandEnv(raw, opts.env ?? process.env, file, '');
  const root = raw as Record<string, unknown>;
  for (const o of opts.overrides ?? []) applyOverride(root, o);
  return new ConfigNode(root, file);
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g;

/** Expands `${VAR}` / `${VAR:default}` in every string; a value that is only a reference is re-typed as YAML. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, file: string, path: string): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    let whole = false;
    const out = value.replace(ENV_REF, (m, name: string, def: string | undefined, offset: number) => {
      whole = offset === 0 && m.length === value.length;
      const v = env[name];
      if (v !== undefined) return v;
      if (def !== undefined) return def;
      throw new ConfigError(file, path, `environment variable ${name} is not set and has no default (\${${name}:default})`);
    });
    return whole ? parseScalar(out) : out;
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, file, join(path, String(i))));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, file, join(path, k));
    return out;
  }
  return value;
}

/** Applies one `-E key=value` (dotted key; value read as a YAML scalar, list or mapping). */
export function applyOverride(root: Record<string, unknown>, override: string): void {
  const eq = override.indexOf('=');
  if (eq <= 0) throw new ConfigError(undefined, '', `-E ${override}: expected key=value`);
  const key = override.slice(0, eq).trim();
  const value = parseScalar(override.slice(eq + 1));
  const parts = key.split('.');
  let cur = root;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function parseScalar(text: string): unknown {
  try {
    return parse(text) ?? text;
  } catch {
    return text;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
