// PostgreSQL parser on hand-built messages (protocol 3.0 per the PostgreSQL documentation): startup with
// SSLRequest refused / accepted, password messages, statements failing inside a multi-statement Query, COPY,
// pipelined extended cycles, a capture starting mid-connection, timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import type { TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { createPgsqlProtocol } from '../../../../../src/beats/packetbeat/protos/pgsql/index.js';
import { CONN, converse, type Chunk } from '../mysql/harness.js';

const CFG = { ports: [5432], send_request: true, send_response: true };
let clock = 1_700_000_000_000;
const c = (...p: Buffer[]): Chunk => ({ dir: 0, ts: clock++, data: Buffer.concat(p) });
const s = (...p: Buffer[]): Chunk => ({ dir: 1, ts: clock++, data: Buffer.concat(p) });
const pg = (e: BeatEvent | undefined): Record<string, unknown> => (e?.fields['pgsql'] ?? {}) as Record<string, unknown>;

const i32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const cs = (x: string): Buffer => Buffer.from(`${x}\0`);
const msg = (type: string, ...body: Buffer[]): Buffer => {
  const b = Buffer.concat(body);
  return Buffer.concat([Buffer.from(type), i32(b.length + 4), b]);
};
const startup = (): Buffer => {
  const b = Buffer.concat([i32(196608), cs('user'), cs('app'), cs('database'), cs('test'), Buffer.from([0])]);
  return Buffer.concat([i32(b.length + 4), b]);
};
const sslRequest = (): Buffer => Buffer.concat([i32(8), i32(80877103)]);
const Q = (sql: string): Buffer => msg('Q', cs(sql));
const T = (...names: string[]): Buffer => msg('T', i16(names.length), ...names.map((n) => Buffer.concat([cs(n), Buffer.alloc(18)])));
const D = (...vals: (string | null)[]): Buffer =>
  msg('D', i16(vals.length), ...vals.map((v) => (v === null ? i32(-1) : Buffer.concat([i32(Buffer.byteLength(v)), Buffer.from(v)]))));
const C = (tag: string): Buffer => msg('C', cs(tag));
const Z = (): Buffer => msg('Z', Buffer.from('I'));
const E = (code: string, text: string): Buffer => msg('E', cs('SERROR'), cs('VERROR'), cs(`C${code}`), cs(`M${text}`), Buffer.from([0]));
const authOk = (): Buffer => msg('R', i32(0));

test('startup after a refused SSLRequest; the password message never reaches an event', () => {
  const evs = converse(createPgsqlProtocol, CFG, [
    c(sslRequest()),
    s(Buffer.from('N')),
    c(startup()),
    s(msg('R', i32(3))), // cleartext password requested
    c(msg('p', cs('hunter2-secret'))),
    s(authOk(), msg('S', cs('server_version'), cs('15.0')), msg('K', i32(1), i32(2)), Z()),
    c(Q('SELECT name, qty FROM items;')),
    s(T('name', 'qty'), D('a', '1'), D('b', null), C('SELECT 2'), Z()),
  ]);
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.fields['query'], 'SELECT name, qty FROM items');
  assert.equal(pg(evs[0])['num_rows'], 2);
  assert.equal(pg(evs[0])['num_fields'], 2);
  assert.equal(evs[0]!.fields['response'], 'name,qty\na,1\nb,NULL');
  assert.ok(!JSON.stringify(evs.map((e) => e.fields)).includes('hunter2'));
});

test('an accepted SSLRequest makes the rest of the connection opaque', () => {
  const evs = converse(createPgsqlProtocol, CFG, [c(sslRequest()), s(Buffer.from('S')), c(Q('SELECT 1')), s(C('SELECT 1'), Z())]);
  assert.equal(evs.length, 0);
});

test('a statement failing inside a multi-statement Query ends it: later statements get no transaction', () => {
  const evs = converse(createPgsqlProtocol, CFG, [
    c(Q("SELECT 'a;b' AS x; SELECT nope; SELECT 3")),
    s(T('x'), D('a;b'), C('SELECT 1'), E('42703', 'column "nope" does not exist'), Z()),
  ]);
  assert.deepEqual(evs.map((e) => e.fields['query']), ["SELECT 'a;b' AS x", 'SELECT nope']);
  assert.deepEqual(pg(evs[1])['multi_statement'], { index: 2, of: 3 });
  assert.equal(evs[1]!.fields['status'], 'Error');
  assert.equal(pg(evs[1])['error_code'], '42703');
});

test('COPY FROM STDIN: the data belongs to the query, the tag counts the rows', () => {
  const data = msg('d', Buffer.from('1\ta\n2\tb\n'));
  const evs = converse(createPgsqlProtocol, CFG, [
    c(Q('COPY items FROM STDIN')),
    s(msg('G', Buffer.from([0]), i16(0))),
    c(data, msg('c')),
    s(C('COPY 2'), Z()),
  ]);
  assert.equal(evs.length, 1);
  assert.equal(pg(evs[0])['tag'], 'COPY 2');
  assert.equal(evs[0]!.fields['bytes_in'], Q('COPY items FROM STDIN').length + data.length + 5);
});

test('pipelined extended cycles, named statements reused, empty query', () => {
  const parse = (name: string, sql: string): Buffer => msg('P', cs(name), cs(sql), i16(0));
  const bind = (portal: string, stmt: string): Buffer => msg('B', cs(portal), cs(stmt), i16(0), i16(0), i16(0));
  const exec = (portal: string): Buffer => msg('E', cs(portal), i32(0));
  const sync = (): Buffer => msg('S');
  const evs = converse(createPgsqlProtocol, CFG, [
    c(parse('s1', 'UPDATE t SET v = $1'), bind('', 's1'), exec(''), sync(), bind('p', 's1'), exec('p'), sync(), Q('')),
    s(msg('1'), msg('2'), C('UPDATE 4'), Z(), msg('2'), C('UPDATE 0'), Z(), msg('I'), Z()),
  ]);
  assert.equal(evs.length, 3);
  assert.deepEqual(evs.map((e) => pg(e)['messages']), ['PBES', 'BES', undefined]);
  assert.equal(evs[1]!.fields['query'], 'UPDATE t SET v = $1');
  assert.equal(pg(evs[1])['tag'], 'UPDATE 0');
  assert.equal(evs[2]!.fields['query'], '');
});

test('a capture that starts after the startup phase is read as typed messages', () => {
  const evs = converse(createPgsqlProtocol, CFG, [c(Q('DELETE FROM t')), s(C('DELETE 3'), Z())]);
  assert.equal(pg(evs[0])['tag'], 'DELETE 3');
  assert.equal(evs[0]!.fields['method'], 'DELETE');
});

test('timeouts and connection close publish waiting cycles with a note', () => {
  const events: BeatEvent[] = [];
  const p = createPgsqlProtocol(new ConfigNode({ transaction_timeout: '1s' }, 't.yml', 'protocols.pgsql'), {
    report: (e) => events.push(e),
    log: nopLogger,
    now: () => 0,
  }) as TcpProtocol;
  let st = p.parse({ ts: 0, payload: Q('SELECT pg_sleep(5)') }, CONN, 0, undefined);
  p.expire?.(1001);
  assert.deepEqual(events[0]!.fields['notes'], ['Response not found']);
  st = p.parse({ ts: 2000, payload: Q('SELECT 1') }, CONN, 0, st);
  st = p.parse({ ts: 2001, payload: Buffer.concat([T('x'), D('1')]) }, CONN, 1, st);
  p.connectionClosed(CONN, st);
  assert.equal(events.length, 2);
  assert.equal(pg(events[1])['num_rows'], 1);
  assert.deepEqual(events[1]!.fields['notes'], ['ReadyForQuery not seen: response incomplete']);
});

test('config: max_rows must be an integer >= 0', () => {
  assert.throws(
    () => createPgsqlProtocol(new ConfigNode({ max_rows: -3 }, 't.yml', 'protocols.pgsql'), { report: () => {}, log: nopLogger, now: () => 0 }),
    (e: unknown) => e instanceof ConfigError && /protocols\.pgsql\.max_rows/.test(e.message),
  );
});

test('mid-connection capture: a lone 5-byte Sync is read at once (the client then waits for the answer)', () => {
  const parse = msg('P', cs(''), cs('SELECT $1'), i16(0));
  const evs = converse(createPgsqlProtocol, CFG, [
    c(parse, msg('B', cs(''), cs(''), i16(0), i16(0), i16(0)), msg('E', cs(''), i32(0))),
    c(msg('S')),
    s(msg('1'), msg('2'), T('x'), D('7'), C('SELECT 1'), Z()),
  ]);
  assert.equal(evs.length, 1);
  assert.equal(pg(evs[0])['messages'], 'PBES');
  assert.equal(pg(evs[0])['num_rows'], 1);
});

test('passwords set by SQL statements are hidden', () => {
  const evs = converse(createPgsqlProtocol, CFG, [c(Q("ALTER ROLE app WITH PASSWORD 'TopSecret1'")), s(C('ALTER ROLE'), Z())]);
  assert.equal(evs[0]!.fields['query'], "ALTER ROLE app WITH PASSWORD '*****'");
  assert.ok(!JSON.stringify(evs[0]!.fields).includes('TopSecret1'));
});

test('an extended cycle never closed with Sync is published at connection close', () => {
  const evs = converse(createPgsqlProtocol, CFG, [c(msg('P', cs(''), cs('SELECT 1'), i16(0)), msg('H'))]);
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.fields['query'], 'SELECT 1');
  assert.deepEqual(evs[0]!.fields['notes'], ['Response not found']);
});
