// Live: sniff lo while psql (simple protocol) and the pg driver (extended protocol) talk to the local PostgreSQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { liveSkipReason, run, sniffWhile } from '../mysql/live.js';

const TABLE = `pb_live_${process.pid}`;
const CONNINFO = 'host=127.0.0.1 port=5432 dbname=test sslmode=disable';
const byQuery = (evs: BeatEvent[], q: string): Record<string, unknown> | undefined => evs.find((e) => e.fields['query'] === q)?.fields;
const sub = (f: Record<string, unknown> | undefined): Record<string, unknown> => (f?.['pgsql'] ?? {}) as Record<string, unknown>;

test('live: psql queries, a three-statement message, row counts and errors', async (t) => {
  const why = await liveSkipReason(5432, 'PostgreSQL');
  if (why !== undefined) return t.skip(why);
  if (spawnSync('psql', ['--version']).status !== 0) return t.skip('psql not installed');
  const create = `CREATE TABLE ${TABLE} (id int PRIMARY KEY, name text)`;
  const insert = `INSERT INTO ${TABLE} VALUES (1, 'a'), (2, 'b'), (3, 'c')`;
  const multi = `UPDATE ${TABLE} SET name = 'z' WHERE id = 1; SELECT count(*) FROM ${TABLE}; SELECT name FROM ${TABLE} ORDER BY id`;
  const bad = `SELECT * FROM no_such_table_${process.pid}`;
  const evs = await sniffWhile({ pgsql: { ports: [5432], send_response: true } }, 5432, async () => {
    for (const sql of [create, insert, multi, bad, `SELECT 1/0`, `DROP TABLE ${TABLE}`]) run('psql', [CONNINFO, '-c', sql]);
  });
  assert.equal(byQuery(evs, create)?.['status'], 'OK');
  assert.equal(sub(byQuery(evs, insert))['tag'], 'INSERT 0 3');
  const parts = evs.filter((e) => sub(e.fields)['multi_statement'] !== undefined).map((e) => e.fields);
  assert.deepEqual(parts.map((f) => f['method']), ['UPDATE', 'SELECT', 'SELECT']);
  assert.equal(sub(parts[0]).tag, 'UPDATE 1');
  assert.equal(sub(parts[1])['num_rows'], 1);
  assert.equal(parts[1]?.['response'], 'count\n3');
  assert.equal(sub(parts[2])['num_rows'], 3);
  assert.equal(parts[2]?.['response'], 'name\nz\nb\nc');
  const e1 = byQuery(evs, bad);
  assert.equal(e1?.['status'], 'Error');
  assert.equal(sub(e1)['error_code'], '42P01');
  assert.equal(sub(e1)['error_severity'], 'ERROR');
  assert.equal(sub(byQuery(evs, 'SELECT 1/0'))['error_message'], 'division by zero');
  assert.equal(byQuery(evs, `DROP TABLE ${TABLE}`)?.['method'], 'DROP');
});

interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  end(): Promise<void>;
}

test('live: pg driver parameterized queries (extended protocol)', async (t) => {
  const why = await liveSkipReason(5432, 'PostgreSQL');
  if (why !== undefined) return t.skip(why);
  const name = 'pg';
  let mod: { default: { Client: new (o: Record<string, unknown>) => PgClient } };
  try {
    mod = (await import(name)) as typeof mod;
  } catch {
    return t.skip('pg package not installed');
  }
  const tbl = `${TABLE}_x`;
  const evs = await sniffWhile({ pgsql: { ports: [5432] } }, 5432, async () => {
    const c = new mod.default.Client({ host: '127.0.0.1', port: 5432, database: 'test', user: 'root', ssl: false });
    await c.connect();
    try {
      await c.query(`CREATE TABLE ${tbl} (id int, v text)`);
      await c.query(`INSERT INTO ${tbl} VALUES ($1, $2), ($3, $4)`, [1, 'x', 2, 'y']);
      await c.query(`SELECT id, v FROM ${tbl} WHERE id >= $1`, [1]);
      await c.query(`SELECT * FROM ${tbl} WHERE id = $1`, ['nan']).catch(() => undefined);
      await c.query(`DROP TABLE ${tbl}`);
    } finally {
      await c.end();
    }
  });
  const ext = evs.filter((e) => sub(e.fields)['extended_query'] === true).map((e) => e.fields);
  assert.equal(ext.length, 3, JSON.stringify(evs.map((e) => e.fields['query'])));
  assert.equal(sub(ext[0])['tag'], 'INSERT 0 2');
  assert.equal(ext[0]?.['method'], 'INSERT');
  assert.equal(sub(ext[1])['num_rows'], 2);
  assert.equal(sub(ext[1])['num_fields'], 2);
  assert.equal(ext[2]?.['status'], 'Error');
  assert.equal(sub(ext[2])['error_code'], '22P02');
  assert.match(String(sub(ext[0])['messages']), /^PBDES$/);
  assert.equal(byQuery(evs, `CREATE TABLE ${tbl} (id int, v text)`)?.['status'], 'OK');
});
