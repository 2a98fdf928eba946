import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { compileRegexp, type ConfigNode } from '../../libbeat/config/config-node.js';
import { loadConfigFile } from '../../libbeat/config/load.js';
import { KNOWN_ENCODINGS, textEncoding, type TextEncoding } from './harvester/encoding.js';
import type { MultilineOptions } from './harvester/multiline.js';

export interface JsonOptions {
  messageKey: string | undefined;
  keysUnderRoot: boolean;
  overwriteKeys: boolean;
  addErrorKey: boolean;
}

/** One `filebeat.prospectors` entry, validated, with defaults applied. Durations in ms; 0 disables. */
export interface ProspectorConfig {
  /** Position in the config (`filebeat.prospectors.0`), for logs. */
  id: string;
  inputType: 'log' | 'stdin';
  paths: string[];
  encoding: TextEncoding;
  fields: Record<string, unknown> | undefined;
  fieldsUnderRoot: boolean;
  documentType: string;
  ignoreOlderMs: number;
  scanFrequencyMs: number;
  bufferSize: number;
  tailFiles: boolean;
  backoffMs: number;
  maxBackoffMs: number;
  backoffFactor: number;
  maxBytes: number;
  includeLines: RegExp[];
  excludeLines: RegExp[];
  excludeFiles: RegExp[];
  multiline: MultilineOptions | undefined;
  json: JsonOptions | undefined;
  closeInactiveMs: number;
  closeRenamed: boolean;
  closeRemoved: boolean;
  closeEof: boolean;
  cleanInactiveMs: number;
  cleanRemoved: boolean;
  harvesterLimit: number;
  symlinks: boolean;
}

export interface FilebeatConfig {
  prospectors: ProspectorConfig[];
  spoolSize: number;
  idleTimeoutMs: number;
  registryFile: string;
  /** Logstash Forwarder state file imported when the registry does not exist yet. */
  lsfStateFile: string | undefined;
  /** How often acknowledged offsets are written to the registry. */
  registryFlushMs: number;
}

const MB = 1024 * 1024;

/**
 * Reads the `filebeat` section: global options and every prospector, including those of `config_dir/*.yml`
 * (Beats 1.0: only their `filebeat.prospectors` are used). Every mistake is a ConfigError naming the option.
 */
export function parseFilebeatConfig(root: ConfigNode): FilebeatConfig {
  const fb = root.child('filebeat');
  const prospectors = fb.children('prospectors').map(parseProspector);
  const configDir = fb.str('config_dir');
  if (configDir) prospectors.push(...loadConfigDir(fb, configDir));
  if (prospectors.length === 0) throw fb.error('prospectors', 'at least one prospector is required (a list of paths to tail)');
  return {
    prospectors,
    spoolSize: fb.int('spool_size', 2048, { min: 1 }),
    idleTimeoutMs: fb.durationMs('idle_timeout', 5000, { min: 0 }),
    registryFile: resolve(fb.str('registry_file', '.filebeat')),
    lsfStateFile: fb.str('lsf_state_file'),
    registryFlushMs: fb.durationMs('registry_flush', 1000, { min: 0 }),
  };
}

function loadConfigDir(fb: ConfigNode, dir: string): ProspectorConfig[] {
  const abs = resolve(fb.file ? dirname(fb.file) : '.', dir);
  if (fb.file && resolve(dirname(fb.file)) === abs) throw fb.error('config_dir', 'must differ from the directory of the main config file');
  let names: string[];
  try {
    names = readdirSync(abs).filter((n) => n.endsWith('.yml') || n.endsWith('.yaml')).sort();
  } catch {
    throw fb.error('config_dir', `cannot read the directory ${abs}`);
  }
  return names.flatMap((n) => loadConfigFile(join(abs, n)).child('filebeat').children('prospectors').map(parseProspector));
}

/** Parses one prospector section (exported for tests and the LSF converter). */
export function parseProspector(p: ConfigNode): ProspectorConfig {
  const inputType = p.oneOf('input_type', ['log', 'stdin'] as const, 'log');
  const paths = p.strList('paths', []);
  if (inputType === 'log' && paths.length === 0) throw p.error('paths', 'at least one path or glob is required');
  const encName = p.str('encoding', 'plain');
  const encoding = textEncoding(encName);
  if (!encoding) throw p.error('encoding', `unknown encoding ${JSON.stringify(encName)} (e.g. ${KNOWN_ENCODINGS.join(', ')})`);
  const forceClose = p.bool('force_close_files', false);
  const ignoreOlderMs = p.durationMs('ignore_older', 0, { min: 0 });
  const scanFrequencyMs = p.durationMs('scan_frequency', 10_000, { min: 0 });
  const cleanInactiveMs = p.durationMs('clean_inactive', 0, { min: 0 });
  if (cleanInactiveMs > 0 && cleanInactiveMs <= ignoreOlderMs + scanFrequencyMs) {
    throw p.error('clean_inactive', 'must be greater than ignore_older + scan_frequency (else files would be re-sent)');
  }
  if (cleanInactiveMs > 0 && ignoreOlderMs === 0) throw p.error('clean_inactive', 'requires ignore_older to be set');
  const backoffMs = p.durationMs('backoff', 1000, { min: 1 });
  const maxBytes = p.int('max_bytes', 10 * MB, { min: 1 });
  return {
    id: p.path,
    inputType,
    paths,
    encoding,
    fields: fieldsOf(p),
    fieldsUnderRoot: p.bool('fields_under_root', false),
    documentType: p.str('document_type', 'log'),
    ignoreOlderMs,
    scanFrequencyMs,
    bufferSize: p.int('harvester_buffer_size', 16384, { min: 64 }),
    tailFiles: p.bool('tail_files', false),
    backoffMs,
    maxBackoffMs: Math.max(backoffMs, p.durationMs('max_backoff', 10_000, { min: 1 })),
    backoffFactor: p.num('backoff_factor', 2, { min: 1 }),
    maxBytes,
    includeLines: regexList(p, 'include_lines'),
    excludeLines: regexList(p, 'exclude_lines'),
    excludeFiles: regexList(p, 'exclude_files'),
    multiline: multilineOf(p, maxBytes),
    json: jsonOf(p),
    closeInactiveMs: p.durationMs('close_inactive', p.durationMs('close_older', 5 * 60_000, { min: 0 }), { min: 0 }),
    closeRenamed: p.bool('close_renamed', forceClose),
    closeRemoved: p.bool('close_removed', true) || forceClose,
    closeEof: p.bool('close_eof', false),
    cleanInactiveMs,
    cleanRemoved: p.bool('clean_removed', true),
    harvesterLimit: p.int('harvester_limit', 0, { min: 0 }),
    symlinks: p.bool('symlinks', false),
  };
}

function fieldsOf(p: ConfigNode): Record<string, unknown> | undefined {
  const f = p.get('fields');
  if (f === undefined) return undefined;
  if (typeof f !== 'object' || Array.isArray(f)) throw p.error('fields', 'must be a section of key: value pairs');
  return f as Record<string, unknown>;
}

function multilineOf(p: ConfigNode, maxBytes: number): MultilineOptions | undefined {
  if (!p.has('multiline')) return undefined;
  const m = p.child('multiline');
  const pattern = m.str('pattern');
  if (!pattern) throw m.error('pattern', 'is required for multiline');
  return {
    pattern: compileRegexp(m, 'pattern', translatePosixClasses(pattern)),
    negate: m.bool('negate', false),
    match: m.oneOf('match', ['after', 'before'] as const, 'after'),
    maxLines: m.int('max_lines', 500, { min: 1 }),
    maxChars: maxBytes,
    timeoutMs: m.durationMs('timeout', 5000, { min: 1 }),
  };
}

function jsonOf(p: ConfigNode): JsonOptions | undefined {
  if (!p.has('json')) return undefined;
  const j = p.child('json');
  return {
    messageKey: j.str('message_key'),
    keysUnderRoot: j.bool('keys_under_root', false),
    overwriteKeys: j.bool('overwrite_keys', false),
    addErrorKey: j.bool('add_error_key', false),
  };
}

function regexList(p: ConfigNode, key: string): RegExp[] {
  return p.strList(key, []).map((s, i) => compileRegexp(p, `${key}.${i}`, translatePosixClasses(s)));
}

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/**
 * Beats patterns are Go RE2, which users write with POSIX classes (`^[[:space:]]`); JavaScript lacks them, so
 * `[:name:]` inside a bracket expression is replaced by its ASCII ranges. Unknown names are left alone (and then
 * fail or match literally, as JavaScript decides).
 */
export function translatePosixClasses(re: string): string {
  return re.replace(/\[:(\^?)([a-z]+):\]/g, (whole, neg: string, name: string) => {
    const r = POSIX[name];
    if (r === undefined || neg) return whole;
    return r;
  });
}
