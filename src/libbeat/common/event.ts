/**
 * The unit of data every beat produces and every output ships.
 *
 * `fields` is the document (everything but `@timestamp`), nested as JSON objects with the Beats 1.0 field names.
 * `private` is the producer's acknowledgement payload (Filebeat puts its file state there); it is never serialized.
 * `meta` carries routing hints for outputs (e.g. `index`, `pipeline`); never serialized into the document either.
 */
export interface BeatEvent {
  timestamp: Date;
  fields: Record<string, unknown>;
  private?: unknown;
  meta?: EventMeta;
}

export interface EventMeta {
  /** Overrides the output's index (ES) / key (Redis) for this event. */
  index?: string;
  /** ES ingest pipeline for this event. */
  pipeline?: string;
}

/** The event type (`type` field), used for ES `_type` on 1.x-6.x clusters and Logstash `@metadata.type`. */
export function eventType(event: BeatEvent): string {
  const t = event.fields['type'];
  return typeof t === 'string' && t !== '' ? t : 'log';
}

const SPLIT_CACHE_MAX = 1024;
const splitCache = new Map<string, string[]>();

/**
 * `path.split('.')`, cached: processors and outputs address the same few field names on every event, and
 * re-splitting them was ~40% of a processor chain's time (measured in bench/processors).
 */
function splitPath(path: string): string[] {
  let parts = splitCache.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (splitCache.size >= SPLIT_CACHE_MAX) splitCache.clear();
    splitCache.set(path, parts);
  }
  return parts;
}

/** Reads a dotted path (`http.code`) from a nested object; undefined when any step is missing. */
export function getField(fields: Record<string, unknown>, path: string): unknown {
  if (path in fields) return fields[path];
  let cur: unknown = fields;
  for (const part of splitPath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Writes a dotted path, creating intermediate objects. */
export function putField(fields: Record<string, unknown>, path: string, value: unknown): void {
  const parts = splitPath(path);
  let cur = fields;
  for (let i = 0; i < parts.length - 1; i++) {
    const k = parts[i]!;
    const next = cur[k];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) {
      const obj: Record<string, unknown> = {};
      cur[k] = obj;
      cur = obj;
    } else {
      cur = next as Record<string, unknown>;
    }
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Deletes a dotted path; returns whether something was removed. */
export function deleteField(fields: Record<string, unknown>, path: string): boolean {
  if (path in fields) return delete fields[path];
  const parts = splitPath(path);
  let cur: unknown = fields;
  for (let i = 0; i < parts.length - 1; i++) {
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Record<string, unknown>)[parts[i]!];
  }
  if (cur === null || typeof cur !== 'object') return false;
  const last = parts[parts.length - 1]!;
  if (!(last in (cur as object))) return false;
  return delete (cur as Record<string, unknown>)[last];
}
