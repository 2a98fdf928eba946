/**
 * SQL text helpers shared by the MySQL and PostgreSQL parsers: the `method` of a statement, splitting a
 * multi-statement query, and the CSV text of result rows (`response`).
 */

const isWordChar = (c: number): boolean =>
  (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || (c >= 0x30 && c <= 0x39);

/**
 * First keyword of a statement, upper-cased (`select * from t` → `SELECT`). Leading blanks, comments and opening
 * parentheses are skipped; undefined when the text starts with no word.
 */
export function firstKeyword(sql: string): string | undefined {
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x28 || c === 0x0c) {
      i++;
    } else if (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 0x23) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else {
      break;
    }
  }
  const start = i;
  while (i < n && isWordChar(sql.charCodeAt(i))) i++;
  if (i === start) return undefined;
  return sql.slice(start, Math.min(i, start + 64)).toUpperCase();
}

export interface SplitOptions {
  /** `#` starts a comment (MySQL). */
  hashComments?: boolean;
  /** Backslash escapes inside quotes (MySQL). */
  backslashEscapes?: boolean;
  /** `$tag$ ... $tag$` quoting (PostgreSQL). */
  dollarQuotes?: boolean;
}

/**
 * Splits a query on `;` outside quotes, identifiers and comments. Statements are trimmed; empty ones (a trailing
 * `;`) are dropped. A text without a separating `;` gives one statement (the trimmed text without its final `;`).
 */
export function splitStatements(sql: string, opts: SplitOptions = {}): string[] {
  if (sql.indexOf(';') < 0) {
    const t = sql.trim();
    return t === '' ? [] : [t];
  }
  const out: string[] = [];
  const n = sql.length;
  let start = 0;
  let i = 0;
  const push = (end: number): void => {
    const t = sql.slice(start, end).trim();
    if (t !== '') out.push(t);
  };
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 0x27 || c === 0x22 || c === 0x60) {
      // quoted string or identifier; a doubled quote is an escaped quote
      i++;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (d === 0x5c && opts.backslashEscapes && c !== 0x60) {
          i += 2;
          continue;
        }
        if (d === c) {
          if (sql.charCodeAt(i + 1) === c) {
            i += 2;
            continue;
          }
          break;
        }
        i++;
      }
      i++;
    } else if (c === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 0x23 && opts.hashComments) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const e = sql.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
    } else if (c === 0x24 && opts.dollarQuotes) {
      const m = /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/.exec(sql.slice(i, i + 66));
      if (m) {
        const tag = m[0];
        const e = sql.indexOf(tag, i + tag.length);
        i = e < 0 ? n : e + tag.length;
      } else {
        i++;
      }
    } else if (c === 0x3b) {
      push(i);
      i++;
      start = i;
    } else {
      i++;
    }
  }
  push(n);
  return out;
}

/** One CSV field: quoted when it holds a comma, quote or line break; NULL is an empty unquoted field. */
function csvField(v: string | null): string {
  if (v === null) return 'NULL';
  if (/[",\r\n]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

/** Cuts a string to at most `max` UTF-16 units (0 = no limit). */
export function cut(s: string, max: number): string {
  return max > 0 && s.length > max ? s.slice(0, max) : s;
}

/**
 * The `response` text of a result set: the column names, then up to `maxRows` rows, one CSV line each, every line
 * cut at `maxRowLength` characters (Packetbeat's `max_rows` / `max_row_length`).
 */
export function rowsText(
  columns: readonly string[],
  rows: readonly (readonly (string | null)[])[],
  maxRowLength: number,
): string {
  const lines: string[] = [];
  if (columns.length > 0) lines.push(cut(columns.map(csvField).join(','), maxRowLength));
  for (const r of rows) lines.push(cut(r.map(csvField).join(','), maxRowLength));
  return lines.join('\n');
}

const QUOTED = String.raw`('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")`;
const PASSWORD_LITERALS = [
  // MySQL / MariaDB: CREATE USER / ALTER USER / GRANT ... IDENTIFIED [WITH plugin] BY|AS 'secret'
  new RegExp(String.raw`(\bIDENTIFIED\s+(?:WITH\s+[\w'"]+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?)` + QUOTED, 'gi'),
  // PASSWORD('x'), SET PASSWORD = 'x', MASTER_PASSWORD='x', PostgreSQL [ENCRYPTED] PASSWORD 'x'
  new RegExp(String.raw`(\b\w*PASSWORD\s*(?:=\s*|\(\s*)?)` + QUOTED, 'gi'),
];

/**
 * Replaces the string literals that statements use to set passwords (`IDENTIFIED BY '...'`, `PASSWORD '...'`,
 * `PASSWORD('...')`, `MASTER_PASSWORD = '...'`) with `'*****'`, so that passwords never reach an event.
 */
export function redactPasswords(sql: string): string {
  if (!/password|identified/i.test(sql)) return sql;
  let out = sql;
  for (const re of PASSWORD_LITERALS) out = out.replace(re, "$1'*****'");
  return out;
}
