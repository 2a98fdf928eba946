import type { ConfigNode } from '../../config/config-node.js';
import { getField, type BeatEvent } from '../../common/event.js';

/** A Redis key, fixed or built per event from `%{[field.path]}` references (`filebeat-%{[fields.app]}`). */
export interface KeyFormat {
  /** The key for an event; undefined when a referenced field is missing. */
  (event: BeatEvent): string | undefined;
  readonly isStatic: boolean;
  readonly text: string;
}

const REF = /%\{\[([^\]]+)\]\}/g;

export function compileKey(node: ConfigNode, key: string, text: string): KeyFormat {
  const parts: (string | { field: string })[] = [];
  let last = 0;
  for (const m of text.matchAll(REF)) {
    if (m.index! > last) parts.push(text.slice(last, m.index));
    parts.push({ field: m[1]! });
    last = m.index! + m[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  if (/%\{/.test(parts.filter((p): p is string => typeof p === 'string').join(''))) {
    throw node.error(key, `has an unfinished field reference (use %{[field.name]}), got ${JSON.stringify(text)}`);
  }
  const isStatic = parts.every((p) => typeof p === 'string');
  const fn = isStatic
    ? () => text
    : (event: BeatEvent): string | undefined => {
        let out = '';
        for (const p of parts) {
          if (typeof p === 'string') out += p;
          else {
            const v = getField(event.fields, p.field);
            if (v === undefined || v === null || typeof v === 'object') return undefined;
            out += String(v);
          }
        }
        return out;
      };
  return Object.assign(fn, { isStatic, text });
}
