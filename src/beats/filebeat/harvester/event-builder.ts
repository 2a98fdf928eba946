import type { ProspectorConfig } from '../config.js';
import type { Message } from './multiline.js';

/**
 * Turns a message into the fields of a Filebeat event, or null when `include_lines`/`exclude_lines` filter it
 * out. Fields (Beats 1.0): `message`, `offset` (of the first byte), `source`, `type` (document_type),
 * `input_type`, custom `fields` (or at the root); `beat.*`, `count` and `@timestamp` are added by libbeat.
 * With `json`, the line is decoded and its keys go under `json` (or at the root with `keys_under_root`).
 * Called once per line: no closures or regexps are built here.
 */
export type EventBuilder = (m: Message, source: string) => Record<string, unknown> | null;

export function createEventBuilder(cfg: ProspectorConfig): EventBuilder {
  const { includeLines, excludeLines, fields, fieldsUnderRoot, documentType, inputType, json } = cfg;
  const filtered = includeLines.length > 0 || excludeLines.length > 0;
  const addCustom = (f: Record<string, unknown>): void => {
    if (!fields) return;
    if (fieldsUnderRoot) Object.assign(f, fields);
    else f['fields'] = fields;
  };
  if (!json) {
    return (m, source) => {
      if (filtered && !keep(m.text, includeLines, excludeLines)) return null;
      const f: Record<string, unknown> = { message: m.text, offset: m.offset, source, type: documentType, input_type: inputType };
      if (fields) addCustom(f);
      return f;
    };
  }
  return (m, source) => {
    let obj: Record<string, unknown> | undefined;
    let error: string | undefined;
    try {
      const v: unknown = JSON.parse(m.text);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
      else error = 'Error decoding JSON: not an object';
    } catch (err) {
      error = `Error decoding JSON: ${(err as Error).message}`;
    }
    const filterText = obj && json.messageKey !== undefined && typeof obj[json.messageKey] === 'string' ? (obj[json.messageKey] as string) : m.text;
    if (filtered && !keep(filterText, includeLines, excludeLines)) return null;
    const f: Record<string, unknown> = { offset: m.offset, source, type: documentType, input_type: inputType };
    if (!obj) f['message'] = m.text;
    addCustom(f);
    if (obj) {
      if (json.keysUnderRoot) {
        for (const k of Object.keys(obj)) if (json.overwriteKeys || !(k in f)) f[k] = obj[k];
      } else f['json'] = obj;
    }
    if (error && json.addErrorKey) f['json_error'] = error;
    return f;
  };
}

function keep(text: string, include: readonly RegExp[], exclude: readonly RegExp[]): boolean {
  if (include.length > 0 && !include.some((r) => r.test(text))) return false;
  return !exclude.some((r) => r.test(text));
}
