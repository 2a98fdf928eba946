// MySQL parser on hand-built packets: CLIENT_DEPRECATE_EOF sessions, several results, LOCAL INFILE, pipelined
// prepare + execute (MariaDB's "last statement" id), binary rows, commands without transactions, timeouts, gaps,
// TLS, config errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import type { TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { createMysqlProtocol } from '../../../../../src/beats/packetbeat/protos/mysql/index.js';
import { CONN, converse, type Chunk } from './harness.js';
import { CAPS, coldef, command, eof, err, handshake, handshakeResponse, lenenc, lstr, ok, pkt, textRow, u16, u32 } from './wire.js';

const CFG = { ports: [3306], send_request: true, send_response: true };
let clock = 1_700_000_000_000;
const c = (...p: Buffer[]): Chunk => ({ dir: 0, ts: clock++, data: Buffer.concat(p) });
const s = (...p: Buffer[]): Chunk => ({ dir: 1, ts: clock++, data: Buffer.concat(p) });
const my = (e: BeatEvent | undefined): Record<string, unknown> => (e?.fields['mysql'] ?? {}) as Record<string, unknown>;

function login(caps: number, secret = 's3cr3t-password'): Chunk[] {
  return [s(pkt(0, handshake(caps))), c(pkt(1, handshakeResponse(caps, 'app', secret))), s(pkt(2, ok()))];
}

test('CLIENT_DEPRECATE_EOF: result sets end with an OK packet; login data never reaches an event', () => {
  const caps = CAPS.PROTOCOL_41 | CAPS.SECURE | CAPS.PLUGIN_AUTH | CAPS.DEPRECATE_EOF | CAPS.TRANSACTIONS;
  const evs = converse(createMysqlProtocol, CFG, [
    ...login(caps),
    c(pkt(0, command(3, 'SELECT a, b FROM t'))),
    s(pkt(1, lenenc(2)), pkt(2, coldef('db', 't', 'a')), pkt(3, coldef('db', 't', 'b')), pkt(4, textRow(['1', null])), pkt(5, textRow(['2', 'x,y'])), pkt(6, ok(0, 0, 2, 0xfe))),
    c(pkt(0, command(3, 'SELECT a FROM t WHERE 0'))),
    s(pkt(1, lenenc(1)), pkt(2, coldef('db', 't', 'a')), pkt(3, ok(0, 0, 2, 0xfe))),
    c(pkt(0, command(3, 'UPDATE t SET a = 1'))),
    s(pkt(1, ok(5, 0))),
  ]);
  assert.equal(evs.length, 3);
  assert.equal(my(evs[0])['num_rows'], 2);
  assert.equal(evs[0]!.fields['response'], 'a,b\n1,NULL\n2,"x,y"');
  assert.equal(evs[0]!.fields['path'], 'db.t');
  assert.equal(my(evs[1])['num_rows'], 0);
  assert.equal(my(evs[1])['num_fields'], 1);
  assert.equal(my(evs[2])['affected_rows'], 5);
  assert.ok(!JSON.stringify(evs.map((e) => e.fields)).includes('s3cr3t'));
});

test('several results (SERVER_MORE_RESULTS_EXISTS) of a multi-statement query: one transaction per statement', () => {
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, command(3, "INSERT INTO t VALUES (1); SELECT ';' AS x; DELETE FROM t"))),
    s(pkt(1, ok(1, 9, 0x0a)), pkt(2, lenenc(1)), pkt(3, coldef('', '', 'x')), pkt(4, eof(0x0a)), pkt(5, textRow([';'])), pkt(6, eof(0x0a)), pkt(7, err(1142, '42000', 'DELETE command denied'))),
  ]);
  assert.deepEqual(evs.map((e) => e.fields['query']), ['INSERT INTO t VALUES (1)', "SELECT ';' AS x", 'DELETE FROM t']);
  assert.equal(my(evs[0])['insert_id'], 9);
  assert.equal(my(evs[1])['num_rows'], 1);
  assert.equal(evs[2]!.fields['status'], 'Error');
  assert.equal(my(evs[2])['error_code'], 1142);
  assert.deepEqual(my(evs[2])['multi_statement'], { index: 3, of: 3 });
});

test('LOAD DATA LOCAL INFILE: the file contents are skipped, the final OK completes the query', () => {
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, command(3, "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE t"))),
    s(pkt(1, Buffer.concat([Buffer.from([0xfb]), Buffer.from('/tmp/x.csv')]))),
    c(pkt(2, Buffer.from('1,a\n2,b\n'))),
    c(pkt(3, Buffer.alloc(0))),
    s(pkt(4, ok(2))),
  ]);
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.fields['method'], 'LOAD');
  assert.equal(my(evs[0])['affected_rows'], 2);
});

test('pipelined COM_STMT_PREPARE + COM_STMT_EXECUTE with statement id -1, typed parameters, binary rows', () => {
  const params = Buffer.concat([
    Buffer.from([0b00000100]), Buffer.from([1]), // null bitmap (3rd NULL), new params bound
    u16(0x08), u16(0xfd), u16(0x06), u16(0x05), // LONGLONG, VAR_STRING, NULL, DOUBLE
    Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), lstr('héllo'), Buffer.from(new Float64Array([2.5]).buffer),
  ]);
  const exec = Buffer.concat([Buffer.from([0x17]), u32(0xffffffff), Buffer.from([0]), u32(1), params]);
  const binRow = Buffer.concat([Buffer.from([0x00, 0b00001000]), Buffer.from([7, 0, 0, 0]), Buffer.from([4, 0xe8, 0x07, 2, 29])]); // id=7, NULL, date
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, command(0x16, 'SELECT id, n, d FROM t WHERE a = ? AND b = ? AND c = ? AND e = ?')), pkt(0, exec)),
    s(
      pkt(1, Buffer.concat([Buffer.from([0]), u32(7), u16(3), u16(4), Buffer.from([0]), u16(0)])),
      ...[2, 3, 4, 5].map((i) => pkt(i, coldef('', '', '?'))), pkt(6, eof()),
      pkt(7, coldef('db', 't', 'id', 0x03)), pkt(8, coldef('db', 't', 'n', 0xfd)), pkt(9, coldef('db', 't', 'd', 0x0a)), pkt(10, eof()),
    ),
    s(pkt(1, Buffer.from([3, 0])), pkt(2, eof()), pkt(3, binRow), pkt(4, eof())),
  ]);
  assert.equal(evs.length, 2);
  assert.equal(my(evs[0])['statement_id'], 7);
  assert.equal(my(evs[0])['num_params'], 4);
  assert.equal(evs[0]!.fields['path'], 'db.t');
  assert.equal(evs[1]!.fields['query'], 'SELECT id, n, d FROM t WHERE a = ? AND b = ? AND c = ? AND e = ?');
  assert.deepEqual(my(evs[1])['params'], ['-1', 'héllo', null, '2.5']);
  assert.equal(my(evs[1])['num_rows'], 1);
  assert.equal(evs[1]!.fields['response'], 'id,n,d\n7,NULL,2024-02-29');
});

test('commands without transactions: QUIT, STMT_CLOSE, PING; COM_INIT_DB is a USE', () => {
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, command(0x0e))),
    s(pkt(1, ok())),
    c(pkt(0, command(0x02, 'shop'))),
    s(pkt(1, ok())),
    c(pkt(0, command(0x19, u32(3)))),
    c(pkt(0, command(0x01))),
  ]);
  assert.deepEqual(evs.map((e) => [e.fields['method'], e.fields['query']]), [['USE', 'USE shop']]);
});

function proto(events: BeatEvent[], config: Record<string, unknown> = CFG): TcpProtocol {
  return createMysqlProtocol(new ConfigNode(config, 't.yml', 'protocols.mysql'), { report: (e) => events.push(e), log: nopLogger, now: () => 0 }) as TcpProtocol;
}

test('a request without response is published after transaction_timeout, and at connection close', () => {
  const events: BeatEvent[] = [];
  const p = proto(events, { ports: [3306], transaction_timeout: '2s' });
  let st = p.parse({ ts: 1000, payload: pkt(0, command(3, 'SELECT SLEEP(10)')) }, CONN, 0, undefined);
  p.expire?.(2500);
  assert.equal(events.length, 0);
  p.expire?.(3001);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.fields['status'], 'Error');
  assert.deepEqual(events[0]!.fields['notes'], ['Response not found']);
  st = p.parse({ ts: 4000, payload: pkt(0, command(3, 'SELECT 2')) }, CONN, 0, st);
  p.connectionClosed(CONN, st);
  assert.equal(events.length, 2);
  assert.equal(events[1]!.fields['query'], 'SELECT 2');
});

test('a gap reports the waiting request; data is skipped until a packet boundary', () => {
  const events: BeatEvent[] = [];
  const p = proto(events);
  let st = p.parse({ ts: 1, payload: pkt(0, command(3, 'SELECT 1')) }, CONN, 0, undefined);
  const r = p.gapInStream(CONN, 1, 100, st);
  assert.equal(r.drop, false);
  st = r.state;
  assert.deepEqual(events[0]!.fields['notes'], ['Packet loss while capturing the response']);
  // the rest of the lost answer (mid-packet bytes whose "length" would swallow what follows) is skipped
  st = p.parse({ ts: 2, payload: Buffer.from([0xff, 0xff, 0x00, 0x05, 1, 2, 3]) }, CONN, 1, st);
  st = p.gapInStream(CONN, 0, 10, st).state; // and the client lost bytes too: its next data is mid-query
  st = p.parse({ ts: 3, payload: Buffer.from('garbage from the middle of a query') }, CONN, 0, st);
  st = p.parse({ ts: 4, payload: pkt(0, command(3, 'SELECT 2')) }, CONN, 0, st);
  st = p.parse({ ts: 5, payload: pkt(1, ok(7)) }, CONN, 1, st);
  assert.equal(events.length, 2);
  assert.equal(events[1]!.fields['query'], 'SELECT 2');
  assert.equal((events[1]!.fields['mysql'] as Record<string, unknown>)['affected_rows'], 7);
  p.connectionClosed(CONN, st);
});

test('after an SSLRequest the encrypted stream is ignored', () => {
  const caps = CAPS.PROTOCOL_41 | CAPS.SSL;
  const sslRequest = Buffer.concat([u32(caps), u32(1 << 24), Buffer.from([0x21]), Buffer.alloc(23)]);
  const evs = converse(createMysqlProtocol, CFG, [s(pkt(0, handshake(caps))), c(pkt(1, sslRequest)), c(pkt(0, command(3, 'SELECT 1'))), s(pkt(1, ok()))]);
  assert.equal(evs.length, 0);
});

test('config: max_rows and max_row_length must be non-negative integers', () => {
  assert.throws(() => proto([], { max_rows: -1 }), (e: unknown) => e instanceof ConfigError && /protocols\.mysql\.max_rows/.test(e.message));
  assert.throws(() => proto([], { max_row_length: 'long' }), ConfigError);
  assert.equal(proto([]).ports[0], 3306);
  assert.deepEqual(proto([], {}).ports, [3306]);
});

test('an execute that opens a cursor ends at its EOF (SERVER_STATUS_CURSOR_EXISTS); COM_STMT_FETCH brings the rows', () => {
  const prepare = Buffer.concat([Buffer.from([0]), u32(1), u16(1), u16(0), Buffer.from([0]), u16(0)]);
  const exec = Buffer.concat([Buffer.from([0x17]), u32(1), Buffer.from([1]), u32(1)]);
  const binRow = Buffer.concat([Buffer.from([0x00, 0]), Buffer.from([5, 0, 0, 0])]);
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, command(0x16, 'SELECT id FROM t'))),
    s(pkt(1, prepare), pkt(2, coldef('db', 't', 'id', 0x03)), pkt(3, eof())),
    c(pkt(0, exec)),
    s(pkt(1, Buffer.from([1])), pkt(2, coldef('db', 't', 'id', 0x03)), pkt(3, eof(0x42))),
    c(pkt(0, Buffer.concat([Buffer.from([0x1c]), u32(1), u32(10)]))),
    s(pkt(1, binRow), pkt(2, eof(0x82))),
    c(pkt(0, command(3, 'SELECT 2'))),
    s(pkt(1, ok())),
  ]);
  assert.deepEqual(evs.map((e) => [my(e)['command'], e.fields['query']]), [
    ['COM_STMT_PREPARE', 'SELECT id FROM t'],
    ['COM_STMT_EXECUTE', 'SELECT id FROM t'],
    ['COM_QUERY', 'SELECT 2'],
  ]);
  assert.equal(evs[2]!.fields['status'], 'OK');
});

test('passwords set by SQL statements are hidden in query, mysql.query and request', () => {
  const evs = converse(createMysqlProtocol, CFG, [c(pkt(0, command(3, "CREATE USER 'app'@'%' IDENTIFIED BY 'TopSecret1'"))), s(pkt(1, ok()))]);
  assert.equal(evs[0]!.fields['query'], "CREATE USER 'app'@'%' IDENTIFIED BY '*****'");
  assert.ok(!JSON.stringify(evs[0]!.fields).includes('TopSecret1'));
});

test('MySQL 8 query attributes (CLIENT_QUERY_ATTRIBUTES) before the query text', () => {
  const caps = CAPS.PROTOCOL_41 | CAPS.SECURE | CAPS.PLUGIN_AUTH | 0x08000000;
  const noAttrs = Buffer.concat([Buffer.from([3]), lenenc(0), lenenc(1), Buffer.from('SELECT 1')]);
  const oneAttr = Buffer.concat([
    Buffer.from([3]), lenenc(1), lenenc(1), Buffer.from([0]), Buffer.from([1]), u16(0xfe), lstr('trace_id'), lstr('abc123'), Buffer.from('SELECT 2'),
  ]);
  const evs = converse(createMysqlProtocol, CFG, [...login(caps), c(pkt(0, noAttrs)), s(pkt(1, ok())), c(pkt(0, oneAttr)), s(pkt(1, ok()))]);
  assert.deepEqual(evs.map((e) => e.fields['query']), ['SELECT 1', 'SELECT 2']);
});

test('COM_CHANGE_USER with an authentication switch: consumed silently, its secret never shown', () => {
  const change = command(0x11, Buffer.concat([Buffer.from('bob\0'), lstr('Sup3rSecret'), Buffer.from('test\0')]));
  const authSwitch = Buffer.concat([Buffer.from([0xfe]), Buffer.from('mysql_native_password\0'), Buffer.alloc(20, 0x61), Buffer.from([0])]);
  const evs = converse(createMysqlProtocol, CFG, [
    c(pkt(0, change)),
    s(pkt(1, authSwitch)),
    c(pkt(2, Buffer.from('Sup3rSecret-scrambled'))),
    s(pkt(3, ok())),
    c(pkt(0, command(3, 'SELECT CURRENT_USER()'))),
    s(pkt(1, lenenc(1)), pkt(2, coldef('', '', 'CURRENT_USER()')), pkt(3, eof()), pkt(4, textRow(['bob@%'])), pkt(5, eof())),
  ]);
  assert.equal(evs.length, 1);
  assert.equal(my(evs[0])['num_rows'], 1);
  assert.ok(!JSON.stringify(evs.map((e) => e.fields)).includes('Sup3rSecret'));
});
