// Live: sniff lo while the `mysql` CLI and the mysql2 driver (binary protocol) talk to the local MariaDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { liveSkipReason, run, sniffWhile } from './live.js';

const TABLE = `pb_live_${process.pid}`;
const CLI = ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', 'test'];
const mysqlOf = (evs: BeatEvent[], q: string): Record<string, unknown> | undefined => evs.find((e) => e.fields['query'] === q)?.fields;
const sub = (f: Record<string, unknown> | undefined): Record<string, unknown> => (f?.['mysql'] ?? {}) as Record<string, unknown>;

test('live: mysql CLI queries, row counts and errors', async (t) => {
  const why = await liveSkipReason(3306, 'MariaDB');
  if (why !== undefined) return t.skip(why);
  if (spawnSync('mysql', ['--version']).status !== 0) return t.skip('mysql CLI not installed');
  const script = [
    `CREATE TABLE ${TABLE} (id INT PRIMARY KEY, name VARCHAR(20))`,
    `INSERT INTO ${TABLE} VALUES (1,'a'),(2,'b'),(3,'c')`,
    `SELECT id, name FROM ${TABLE} ORDER BY id`,
    `SELECT * FROM no_such_table_${process.pid}`,
    `DROP TABLE ${TABLE}`,
  ];
  const evs = await sniffWhile({ mysql: { ports: [3306], send_response: true } }, 3306, async () => {
    // statements on stdin: with --force the client goes on after the error
    const r = run('mysql', [...CLI, '--force'], script.join(';\n') + ';\n');
    assert.match(r.stderr, /1146/, 'the client saw the error');
  });
  const create = mysqlOf(evs, script[0]!);
  assert.equal(create?.['method'], 'CREATE');
  assert.equal(create?.['status'], 'OK');
  const ins = mysqlOf(evs, script[1]!);
  assert.equal(sub(ins)['affected_rows'], 3);
  const sel = mysqlOf(evs, script[2]!);
  assert.equal(sub(sel)['num_rows'], 3);
  assert.equal(sub(sel)['num_fields'], 2);
  assert.equal(sel?.['path'], `test.${TABLE}`);
  assert.equal(sel?.['response'], 'id,name\n1,a\n2,b\n3,c');
  const err = mysqlOf(evs, script[3]!);
  assert.equal(err?.['status'], 'Error');
  assert.equal(sub(err)['error_code'], 1146);
  assert.equal(mysqlOf(evs, script[4]!)?.['method'], 'DROP');
  for (const e of evs) assert.equal(e.fields['port'], 3306);
});

interface Mysql2Conn {
  execute(sql: string, params: unknown[]): Promise<[unknown, unknown]>;
  query(sql: string): Promise<[unknown, unknown]>;
  end(): Promise<void>;
}

test('live: mysql2 prepared statements (binary protocol) and a multi-statement query', async (t) => {
  const why = await liveSkipReason(3306, 'MariaDB');
  if (why !== undefined) return t.skip(why);
  const name = 'mysql2/promise';
  let mod: { createConnection(o: Record<string, unknown>): Promise<Mysql2Conn> };
  try {
    mod = (await import(name)) as typeof mod;
  } catch {
    return t.skip('mysql2 package not installed');
  }
  const tbl = `${TABLE}_b`;
  const evs = await sniffWhile({ mysql: { ports: [3306], send_response: true } }, 3306, async () => {
    const c = await mod.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'test', multipleStatements: true });
    try {
      await c.query(`CREATE TABLE ${tbl} (id INT PRIMARY KEY, v DOUBLE, s VARCHAR(10), d DATETIME)`);
      await c.execute(`INSERT INTO ${tbl} VALUES (?, ?, ?, ?)`, [1, 1.5, 'x', '2024-01-02 03:04:05']);
      await c.execute(`INSERT INTO ${tbl} VALUES (?, ?, ?, ?)`, [2, null, 'y', null]);
      await c.execute(`SELECT id, v, s, d FROM ${tbl} WHERE id >= ? ORDER BY id`, [1]);
      await c.query(`SELECT 1 AS one; SELECT id FROM ${tbl}; DELETE FROM ${tbl} WHERE id = 2`);
      await c.query(`DROP TABLE ${tbl}`);
    } finally {
      await c.end();
    }
  });
  const execs = evs.filter((e) => sub(e.fields)['command'] === 'COM_STMT_EXECUTE');
  assert.equal(execs.length, 3, JSON.stringify(evs.map((e) => e.fields['query'])));
  assert.deepEqual(sub(execs[0]!.fields)['params'], ['1', '1.5', 'x', '2024-01-02 03:04:05']);
  assert.equal(sub(execs[0]!.fields)['affected_rows'], 1);
  assert.deepEqual(sub(execs[1]!.fields)['params'], ['2', null, 'y', null]);
  const sel = execs[2]!.fields;
  assert.equal(sub(sel)['num_rows'], 2);
  assert.equal(sub(sel)['num_fields'], 4);
  assert.equal(sel['method'], 'SELECT');
  assert.equal(sel['response'], 'id,v,s,d\n1,1.5,x,2024-01-02 03:04:05\n2,NULL,y,NULL');
  const prepares = evs.filter((e) => sub(e.fields)['command'] === 'COM_STMT_PREPARE');
  assert.equal(prepares.length, 2, "mysql2 prepares each statement text once");
  // the multi-statement query: one transaction per statement
  const multi = evs.filter((e) => sub(e.fields)['multi_statement'] !== undefined);
  assert.deepEqual(multi.map((e) => e.fields['query']), ['SELECT 1 AS one', `SELECT id FROM ${tbl}`, `DELETE FROM ${tbl} WHERE id = 2`]);
  assert.equal(sub(multi[1]!.fields)['num_rows'], 2);
  assert.equal(sub(multi[2]!.fields)['affected_rows'], 1);
  const all = JSON.stringify(evs.map((e) => e.fields));
  assert.ok(!all.includes('mysql_native_password'));
});
