import type { RespValue } from './resp-parser.js';

/** `query` is cut at this many characters (the command line can carry megabytes of values). */
export const MAX_QUERY = 1024;
/** `redis.return_value` is cut at this many characters. */
export const MAX_RETURN = 1024;

const MASK = '****';

/** A parsed command: name (upper-cased), arguments as text (secrets masked), total argument count. */
export interface RedisCommand {
  method: string;
  args: string[];
  /** The command line: name and arguments joined by spaces, cut at MAX_QUERY. */
  query: string;
}

/** Turns a request value (array of bulk strings, or an inline command) into a command; undefined if not one. */
export function toCommand(v: RespValue): RedisCommand | undefined {
  if (v.type !== 'array' || !v.items || v.items.length === 0) return undefined;
  const words: string[] = [];
  let total = 0;
  for (const it of v.items) {
    let w: string;
    if (it.text !== undefined) w = it.cut === true ? it.text + '...' : it.text;
    else w = it.type === 'nil' ? 'nil' : '';
    words.push(w);
    total += w.length + 1;
    if (total > MAX_QUERY) break;
  }
  const method = (words[0] ?? '').toUpperCase();
  const args = words.slice(1);
  maskSecrets(method, args);
  let query = [method, ...args].join(' ');
  if ((v.size ?? 0) > v.items.length || query.length > MAX_QUERY) query = query.slice(0, MAX_QUERY) + '...';
  return { method, args, query };
}

/** Replaces passwords in AUTH, HELLO ... AUTH, MIGRATE ... AUTH/AUTH2 and CONFIG SET requirepass/masterauth. */
export function maskSecrets(method: string, args: string[]): void {
  const up = (i: number): string => (args[i] ?? '').toUpperCase();
  switch (method) {
    case 'AUTH':
      // AUTH password | AUTH username password: keep the user name.
      for (let i = args.length >= 2 ? 1 : 0; i < args.length; i++) args[i] = MASK;
      return;
    case 'HELLO':
      for (let i = 0; i < args.length; i++) if (up(i) === 'AUTH' && i + 2 < args.length) args[i + 2] = MASK;
      return;
    case 'MIGRATE':
      for (let i = 0; i < args.length; i++) {
        if (up(i) === 'AUTH' && i + 1 < args.length) args[i + 1] = MASK;
        if (up(i) === 'AUTH2' && i + 2 < args.length) args[i + 2] = MASK;
      }
      return;
    case 'CONFIG':
      if (up(0) === 'SET')
        for (let i = 1; i + 1 < args.length; i += 2) {
          const k = up(i);
          if (k === 'REQUIREPASS' || k === 'MASTERAUTH' || k === 'MASTERUSER') args[i + 1] = MASK;
        }
      return;
    case 'ACL':
      if (up(0) === 'SETUSER') for (let i = 2; i < args.length; i++) if (/^[>#<!]/.test(args[i]!)) args[i] = MASK;
      return;
    default:
  }
}

/** Renders a reply as Packetbeat shows it: text of scalars, `nil`, `[a, b]` for aggregates; cut at `max`. */
export function renderValue(v: RespValue, max = MAX_RETURN): string {
  const parts: string[] = [];
  let len = 0;
  const push = (s: string): boolean => {
    parts.push(s);
    len += s.length;
    return len < max;
  };
  const walk = (x: RespValue): boolean => {
    switch (x.type) {
      case 'nil':
        return push('nil');
      case 'bulk':
      case 'verbatim':
      case 'error':
        return push(x.cut === true ? (x.text ?? '') + '...' : x.text ?? '');
      case 'array':
      case 'set':
      case 'push':
      case 'map': {
        if (!push(x.type === 'map' ? '{' : '[')) return false;
        const items = x.items ?? [];
        for (let i = 0; i < items.length; i++) {
          if (i > 0 && !push(x.type === 'map' && i % 2 === 1 ? ': ' : ', ')) return false;
          if (!walk(items[i]!)) return false;
        }
        const count = x.type === 'map' ? (x.size ?? 0) * 2 : x.size ?? 0;
        if (items.length < count && !push(', ...')) return false;
        return push(x.type === 'map' ? '}' : ']');
      }
      default:
        return push(x.text ?? '');
    }
  };
  walk(v);
  const s = parts.join('');
  return s.length > max ? s.slice(0, max) + '...' : s;
}
