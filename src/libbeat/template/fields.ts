import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BeatsError } from '../common/errors.js';

/** Field types a fields file may use (Elasticsearch names; `string` is the 1.x spelling of `keyword`). */
export const FIELD_TYPES = [
  'keyword', 'text', 'string', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float',
  'boolean', 'date', 'ip', 'geo_point', 'object', 'nested', 'group', 'binary',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** One field of a fields file; `group` (or a field with `fields`) nests its children under its name. */
export interface FieldDef {
  name: string;
  type: FieldType;
  description?: string;
  fields?: FieldDef[];
  /** false: stored in _source only (not searchable). */
  index?: boolean;
  doc_values?: boolean;
  ignore_above?: number;
  /** Date format (e.g. `epoch_millis`). */
  format?: string;
  scaling_factor?: number;
  /** object: false keeps the object unparsed. */
  enabled?: boolean;
  /** object: `true`, `false` or `strict`. */
  dynamic?: boolean | 'strict';
}

/** A top-level section of a fields file (`key`, `title`, `description`, `fields`). */
export interface FieldGroup {
  key: string;
  title?: string;
  description?: string;
  fields: FieldDef[];
}

function fail(file: string, path: string, msg: string): BeatsError {
  return new BeatsError('BEAT_ERR_CONFIG', `${file}: ${path}: ${msg}`);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseField(file: string, path: string, raw: unknown): FieldDef {
  if (!isObj(raw)) throw fail(file, path, 'must be a field (name, type, description)');
  const name = raw['name'];
  if (typeof name !== 'string' || name === '') throw fail(file, `${path}.name`, 'is required (a non-empty string)');
  const children = raw['fields'];
  const type = raw['type'] ?? (children !== undefined ? 'group' : 'keyword');
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    throw fail(file, `${path}.type`, `must be one of ${FIELD_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  const f: FieldDef = { name, type: type as FieldType };
  if (typeof raw['description'] === 'string') f.description = raw['description'].trim();
  if (children !== undefined) {
    if (!Array.isArray(children)) throw fail(file, `${path}.fields`, 'must be a list of fields');
    f.fields = children.map((c, i) => parseField(file, `${path}.fields.${i}`, c));
  }
  for (const k of ['index', 'doc_values', 'enabled'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw fail(file, `${path}.${k}`, `must be true or false, got ${JSON.stringify(v)}`);
    f[k] = v;
  }
  for (const k of ['ignore_above', 'scaling_factor'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v > 0)) throw fail(file, `${path}.${k}`, `must be a positive number, got ${JSON.stringify(v)}`);
    f[k] = v;
  }
  if (typeof raw['format'] === 'string') f.format = raw['format'];
  const dyn = raw['dynamic'];
  if (dyn !== undefined) {
    if (dyn !== true && dyn !== false && dyn !== 'strict') throw fail(file, `${path}.dynamic`, 'must be true, false or strict');
    f.dynamic = dyn;
  }
  return f;
}

/** Parses the text of a fields file (a YAML list of groups). Throws a BeatsError naming the file and entry. */
export function parseFields(text: string, file: string): FieldGroup[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw fail(file, 'yaml', (err as Error).message.split('\n')[0] ?? 'invalid YAML');
  }
  if (doc === null || doc === undefined) return [];
  if (!Array.isArray(doc)) throw fail(file, '(top)', 'must be a list of groups (key, title, fields)');
  return doc.map((g, i) => {
    if (!isObj(g)) throw fail(file, String(i), 'must be a group (key, title, fields)');
    const key = g['key'];
    if (typeof key !== 'string' || key === '') throw fail(file, `${i}.key`, 'is required');
    const fields = g['fields'] ?? [];
    if (!Array.isArray(fields)) throw fail(file, `${i}.fields`, 'must be a list of fields');
    const group: FieldGroup = { key, fields: fields.map((f, j) => parseField(file, `${i}.fields.${j}`, f)) };
    if (typeof g['title'] === 'string') group.title = g['title'];
    if (typeof g['description'] === 'string') group.description = g['description'].trim();
    return group;
  });
}

export function loadFieldsFile(file: string): FieldGroup[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new BeatsError('BEAT_ERR_CONFIG', `cannot read fields file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return parseFields(text, file);
}

/** `etc/fields` of the installed package (dist/src/libbeat/template → four levels up; also works from src/). */
export function packageFieldsDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const fromDist = join(here, '../../../../etc/fields');
  return existsSync(fromDist) ? fromDist : join(here, '../../../etc/fields');
}

/**
 * The fields files of a beat, in merge order: libbeat's common fields, then `<beat>.fields.yml` when the beat has
 * one, then any extra files (`template.fields`).
 */
export function beatFieldsFiles(beat: string, extra: readonly string[] = [], dir = packageFieldsDir()): string[] {
  const files = [join(dir, 'libbeat.fields.yml')];
  const own = join(dir, `${beat}.fields.yml`);
  if (beat !== 'libbeat' && existsSync(own)) files.push(own);
  return [...files, ...extra];
}
