import { bytesToText } from '../redis/text.js';
import { MAX_RENDER } from './message.js';
import { T } from './types.js';

/** The rendered parts of a struct, list, set or map being decoded. */
export interface RenderParts {
  kind: 'struct' | 'list' | 'set' | 'map';
  parts: string[];
  /** Rendered length so far. */
  len: number;
  truncated: boolean;
}

export function addPart(f: RenderParts, text: string, max: number): void {
  if (f.truncated) return;
  if (f.parts.length >= max || f.len > MAX_RENDER) {
    f.truncated = true;
    return;
  }
  f.parts.push(text);
  f.len += text.length + 2;
}

export function renderContainer(f: RenderParts): string {
  const [open, close] = f.kind === 'struct' ? ['(', ')'] : f.kind === 'list' ? ['[', ']'] : ['{', '}'];
  const body = f.parts.join(', ') + (f.truncated ? (f.parts.length > 0 ? ', ...' : '...') : '');
  const s = open + body + close;
  return s.length > MAX_RENDER ? s.slice(0, MAX_RENDER) + '...' : s;
}

/** A string value from its kept prefix (`kept`) and full length, or `"*"` when obfuscated. */
export function renderString(kept: Buffer[], len: number, maxSize: number, obfuscate: boolean): string {
  if (obfuscate) return '"*"';
  const s = kept.length === 1 ? bytesToText(kept[0]!) : bytesToText(Buffer.concat(kept));
  return `"${s}"${len > maxSize ? '...' : ''}`;
}

export function renderFixed(type: number, b: Buffer, o: number): string {
  switch (type) {
    case T.BOOL:
      return b[o] !== 0 ? 'true' : 'false';
    case T.BYTE:
      return String(b.readInt8(o));
    case T.I16:
      return String(b.readInt16BE(o));
    case T.I32:
      return String(b.readInt32BE(o));
    case T.I64:
      return b.readBigInt64BE(o).toString();
    case T.DOUBLE:
      return String(b.readDoubleBE(o));
    default: {
      const h = b.toString('hex', o, o + 16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
}
