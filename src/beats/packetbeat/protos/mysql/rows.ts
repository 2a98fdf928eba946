/** Result rows and statement parameters of the MySQL protocol: text rows, binary rows, COM_STMT_EXECUTE values. */
import { Cursor, readBinaryValue, type ColumnDef } from './packets.js';

/** Distinct `schema.table` of the columns that belong to a table. */
export function tablesOf(defs: readonly ColumnDef[]): string[] {
  const seen: string[] = [];
  for (const d of defs) {
    const t = d.orgTable || d.table;
    if (t === '') continue;
    const full = d.schema ? `${d.schema}.${t}` : t;
    if (!seen.includes(full)) seen.push(full);
  }
  return seen;
}

export function textRow(p: Buffer, n: number): (string | null)[] {
  const c = new Cursor(p);
  const row: (string | null)[] = [];
  for (let i = 0; i < n; i++) row.push(c.lenencStr());
  return row;
}

export function binaryRow(p: Buffer, defs: readonly ColumnDef[]): (string | null)[] {
  const c = new Cursor(p, 1);
  const n = defs.length;
  const bitmap = c.bytes((n + 9) >> 3);
  const row: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    const bit = i + 2;
    if (((bitmap[bit >> 3] as number) >> (bit & 7)) & 1) {
      row.push(null);
      continue;
    }
    const d = defs[i] as ColumnDef;
    row.push(readBinaryValue(c, d.type, (d.flags & 0x20) !== 0));
  }
  return row;
}

/** Reads the parameter block of COM_STMT_EXECUTE (or of COM_QUERY with query attributes). */
export function readParams(
  c: Cursor,
  n: number,
  known: number[] | undefined,
  withNames: boolean,
): { values: (string | null)[]; types: number[] | undefined } {
  if (n > 65535) throw new Error('too many parameters');
  const bitmap = c.bytes((n + 7) >> 3);
  const bound = c.u8();
  let types = known;
  if (bound === 1) {
    types = [];
    for (let i = 0; i < n; i++) {
      types.push(c.u16());
      if (withNames) c.lenencStr();
    }
  }
  const values: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    if (((bitmap[i >> 3] as number) >> (i & 7)) & 1) {
      values.push(null);
      continue;
    }
    if (types === undefined || types.length !== n) throw new Error('parameter types unknown');
    const t = types[i] as number;
    values.push(readBinaryValue(c, t & 0xff, (t & 0x8000) !== 0));
  }
  return { values, types: bound === 1 ? types : undefined };
}
