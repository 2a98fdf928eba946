// MongoDB: every opcode Packetbeat 1.0 read plus OP_MSG and OP_COMPRESSED, on traffic built with the `bson`
// package per the wire-protocol spec; the own BSON reader against bson's Extended JSON; split and fuzz tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Binary, BSONRegExp, Decimal128, EJSON, Long, MaxKey, MinKey, ObjectId, serialize, Timestamp, Code, Double, Int32 } from 'bson';
import { createMongodbProtocol } from '../../../../../src/beats/packetbeat/protos/mongodb/index.js';
import { readDoc } from '../../../../../src/beats/packetbeat/protos/mongodb/bson.js';
import { seededRandom } from '../../../../support/random.js';
import { bytewise, converse, fieldsOf, mutate, randomChunks, splitsOf, type Chunk } from '../mysql/harness.js';
import { compressed, opDelete, opGetMore, opInsert, opKillCursors, opMsg, opMsgReply, opQuery, opReply, opUpdate } from './wire.js';

const CFG = { ports: [27017], send_request: true, send_response: true };
const oid = new ObjectId('656a1f0c9d1e8a0012345678');

/** A conversation exercising every opcode; time advances 1 ms per message. */
function conversation(): Chunk[] {
  const msgs: [0 | 1, Buffer][] = [
    [0, opMsg(1, { find: 'users', filter: { age: { $gt: 30 } }, limit: 2, $db: 'shop', lsid: { id: 1 } })],
    [1, opMsgReply(101, 1, { cursor: { firstBatch: [{ _id: oid, name: 'alice', age: 41 }, { _id: 2, name: 'bob', age: 35 }], id: Long.fromNumber(0), ns: 'shop.users' }, ok: 1 })],
    [0, opMsg(2, { insert: 'users', ordered: true, $db: 'shop' }, { sequences: [['documents', [{ name: 'carol' }, { name: 'dave' }]]] })],
    [1, opMsgReply(102, 2, { n: 2, ok: 1 })],
    [0, opMsg(3, { nosuchcmd: 1, $db: 'shop' })],
    [1, opMsgReply(103, 3, { ok: 0, errmsg: "no such command: 'nosuchcmd'", code: 59, codeName: 'CommandNotFound' })],
    [0, opMsg(4, { insert: 'logs', documents: [{ m: 'x' }], writeConcern: { w: 0 }, $db: 'shop' }, { flags: 2 })],
    [0, opMsg(17, { getMore: Long.fromString('8070450532247928833'), collection: 'users', $db: 'shop' })],
    [1, opMsgReply(117, 17, { cursor: { nextBatch: [{ a: 1 }], id: Long.fromString('8070450532247928833'), ns: 'shop.users' }, ok: 1 })],
    [0, opQuery(5, 'shop.users', { name: 'alice' }, { skip: 1, limit: 5, fields: { name: 1 } })],
    [1, opReply(105, 5, [{ name: 'alice' }, { name: 'alice' }, { name: 'alice' }], { cursorId: 77n })],
    [0, opQuery(6, 'admin.$cmd', { isMaster: 1 }, { limit: -1 })],
    [1, opReply(106, 6, [{ ismaster: true, maxWireVersion: 6, ok: 1 }])],
    [0, opQuery(7, 'shop.users', { $where: 'bad(' })],
    [1, opReply(107, 7, [{ $err: 'SyntaxError: missing )', code: 16722 }], { flags: 2 })],
    [0, opInsert(8, 'shop.users', [{ name: 'erin' }])],
    [0, opUpdate(9, 'shop.users', { name: 'erin' }, { $set: { age: 28 } })],
    [0, opDelete(10, 'shop.users', { name: 'bob' })],
    [0, opGetMore(11, 'shop.users', 10, 77n)],
    [1, opReply(111, 11, [{ name: 'zed' }], { cursorId: 0n, startingFrom: 3 })],
    [0, opKillCursors(12, [77n, 78n])],
    [0, compressed(opMsg(13, { count: 'users', query: {}, $db: 'shop' }))],
    [1, compressed(opMsgReply(113, 13, { n: 4, ok: 1 }))],
    // two requests answered in reverse order
    [0, opMsg(14, { ping: 1, $db: 'admin' })],
    [0, opMsg(15, { hello: 1, $db: 'admin' })],
    [1, opMsgReply(115, 15, { isWritablePrimary: true, ok: 1 })],
    [1, opMsgReply(114, 14, { ok: 1 })],
    // never answered
    [0, opMsg(16, { find: 'slow', filter: {}, $db: 'shop' })],
  ];
  return msgs.map(([dir, data], i) => ({ dir, ts: 1_700_000_000_000 + i, data }));
}

test('mongodb: every opcode becomes the expected transaction', () => {
  const evs = converse(createMongodbProtocol, CFG, conversation());
  const got = evs.map((e) => e.fields);
  const pick = (m: string, n = 0): Record<string, unknown> => got.filter((f) => f['method'] === m)[n] as Record<string, unknown>;
  const mongo = (f: Record<string, unknown>): Record<string, unknown> => f['mongodb'] as Record<string, unknown>;
  assert.equal(got.length, 17);
  const gm = got.find((f) => f['method'] === 'getMore' && mongo(f)['opcode'] === 'OP_MSG')!;
  assert.equal(mongo(gm)['cursorId'], '8070450532247928833', 'int64 cursor id exact, as a decimal string');
  assert.equal(mongo(gm)['numberReturned'], 1);

  const find = pick('find');
  assert.equal(find['path'], 'shop.users');
  assert.equal(find['status'], 'OK');
  assert.equal(find['query'], 'shop.users.find({"find":"users","filter":{"age":{"$gt":30}},"limit":2})');
  assert.equal(mongo(find)['numberReturned'], 2);
  assert.equal(mongo(find)['opcode'], 'OP_MSG');
  assert.equal(find['responsetime'], 1);
  assert.equal(find['response'], '{"_id":{"$oid":"656a1f0c9d1e8a0012345678"},"name":"alice","age":41}\n{"_id":2,"name":"bob","age":35}');

  const ins = pick('insert');
  assert.equal(ins['path'], 'shop.users');
  assert.match(ins['query'] as string, /"documents":\[\{"name":"carol"\},\{"name":"dave"\}\]/);
  assert.equal(mongo(ins)['numberReturned'], 2);

  const bad = pick('nosuchcmd');
  assert.equal(bad['status'], 'Error');
  assert.equal(mongo(bad)['error'], "no such command: 'nosuchcmd' (CommandNotFound)");
  assert.equal(bad['path'], 'shop');

  const unack = pick('insert', 1);
  assert.equal(unack['path'], 'shop.logs');
  assert.equal(unack['status'], 'OK');
  assert.equal(unack['responsetime'], undefined, 'moreToCome: no reply expected');

  const q = pick('find', 1);
  assert.equal(mongo(q)['opcode'], 'OP_QUERY');
  assert.equal(q['query'], 'shop.users.find({"name":"alice"}).skip(1).limit(5)');
  assert.equal(mongo(q)['fullCollectionName'], 'shop.users');
  assert.equal(mongo(q)['numberToSkip'], 1);
  assert.equal(mongo(q)['numberToReturn'], 5);
  assert.equal(mongo(q)['returnFieldsSelector'], '{"name":1}');
  assert.equal(mongo(q)['numberReturned'], 3);
  assert.equal(mongo(q)['cursorId'], '77');

  const cmd = pick('isMaster');
  assert.equal(cmd['path'], 'admin');
  assert.equal(cmd['status'], 'OK');

  const fail = pick('find', 2);
  assert.equal(fail['status'], 'Error');
  assert.equal(mongo(fail)['error'], 'SyntaxError: missing )');

  assert.equal(mongo(pick('insert', 2))['opcode'], 'OP_INSERT');
  assert.equal(pick('insert', 2)['query'], 'shop.users.insert([{"name":"erin"}])');
  const upd = pick('update');
  assert.equal(mongo(upd)['selector'], '{"name":"erin"}');
  assert.equal(mongo(upd)['update'], '{"$set":{"age":28}}');
  assert.equal(mongo(pick('delete'))['selector'], '{"name":"bob"}');
  const more = pick('getMore', 1);
  assert.equal(mongo(more)['cursorId'], '0');
  assert.equal(mongo(more)['startingFrom'], 3);
  assert.equal(mongo(more)['numberReturned'], 1);
  assert.equal(mongo(pick('killCursors'))['cursorId'], '77');
  assert.equal(mongo(pick('killCursors'))['numberOfCursorIds'], 2);
  assert.equal(pick('killCursors')['query'], 'killCursors(77, 78)');

  const count = pick('count');
  assert.equal(count['path'], 'shop.users');
  assert.equal(mongo(count)['numberReturned'], 4);
  assert.equal(count['status'], 'OK');

  assert.equal(pick('ping')['status'], 'OK');
  assert.equal(pick('hello')['status'], 'OK');
  assert.match(pick('hello')['response'] as string, /isWritablePrimary/);

  const slow = pick('find', 3);
  assert.equal(slow['status'], 'Error');
  assert.deepEqual(slow['notes'], ['Response not found']);
});

test('mongodb: max_docs and max_doc_length bound the response text', () => {
  const evs = converse(createMongodbProtocol, { ...CFG, max_docs: 1, max_doc_length: 20 }, conversation());
  const find = evs.find((e) => e.fields['method'] === 'find')!;
  assert.equal(find.fields['response'], '{"_id":{"$oid":"656a...');
});

test('mongodb: the own BSON reader agrees with the bson package (relaxed Extended JSON)', () => {
  const doc = {
    s: 'héllo', i: new Int32(-5), d: new Double(1.5), l: Long.fromString('9007199254740993'), small: Long.fromNumber(42),
    t: true, n: null, o: oid, date: new Date('2024-05-06T07:08:09.010Z'), arr: [1, 'two', { three: 3 }],
    nested: { a: { b: { c: [] } } }, bin: new Binary(Buffer.from([1, 2, 3]), 4), re: new BSONRegExp('^a.*', 'i'),
    ts: new Timestamp({ t: 1700000000, i: 7 }), dec: Decimal128.fromString('12.345'), big: Decimal128.fromString('1E+10'),
    min: new MinKey(), max: new MaxKey(), code: new Code('function(){}'),
  };
  const bytes = Buffer.from(serialize(doc));
  const mine = readDoc(bytes, 0);
  const theirs = EJSON.serialize(doc, { relaxed: true }) as Record<string, unknown>;
  // an int64 beyond 2^53 stays exact ($numberLong) where relaxed EJSON rounds it to a double
  assert.deepEqual(mine['l'], { $numberLong: '9007199254740993' });
  for (const k of Object.keys(theirs)) if (k !== 'l') assert.deepEqual(mine[k], theirs[k], `field ${k}`);
  assert.deepEqual(Object.keys(mine), Object.keys(theirs));
});

test('mongodb: without send_response replies are skimmed, with the same fields', () => {
  const full = converse(createMongodbProtocol, CFG, conversation()).map((e) => {
    const f = { ...e.fields };
    delete f['response'];
    delete f['request'];
    return f;
  });
  const skimmed = converse(createMongodbProtocol, { ports: [27017] }, conversation()).map((e) => e.fields);
  assert.deepEqual(skimmed, full);
});

test('mongodb: every message split at every byte offset gives the same transactions', () => {
  const chunks = conversation();
  const want = fieldsOf(converse(createMongodbProtocol, CFG, chunks));
  for (let i = 0; i < chunks.length; i++) {
    for (const v of splitsOf(chunks, i)) assert.deepEqual(fieldsOf(converse(createMongodbProtocol, CFG, v)), want, `message ${i} split`);
  }
  assert.deepEqual(fieldsOf(converse(createMongodbProtocol, CFG, bytewise(chunks))), want);
  // and all messages of a direction coalesced into one segment each
  const joined: Chunk[] = [
    { dir: 0, ts: chunks[0]!.ts, data: Buffer.concat(chunks.filter((c) => c.dir === 0).map((c) => c.data)) },
    { dir: 1, ts: chunks[0]!.ts, data: Buffer.concat(chunks.filter((c) => c.dir === 1).map((c) => c.data)) },
  ];
  assert.equal(converse(createMongodbProtocol, CFG, joined).length, want.length);
});

test('mongodb: fuzzed messages and random bytes never throw', () => {
  const seed = Date.now() >>> 0;
  const rnd = seededRandom(seed);
  const base = conversation();
  for (let i = 0; i < 800; i++) {
    const chunks = i % 3 === 0 ? randomChunks(rnd, 30) : mutate(base, rnd);
    // with send_response the replies are decoded, without it they are only skimmed
    const cfg = i % 2 === 0 ? CFG : { ports: [27017] };
    assert.doesNotThrow(() => converse(createMongodbProtocol, cfg, chunks), `seed ${seed}, round ${i}`);
  }
  // deeply nested documents stop at the nesting limit instead of overflowing the stack
  let d: Record<string, unknown> = {};
  for (let k = 0; k < 150; k++) d = { d };
  const deep = opMsg(1, { find: 'x', filter: d, $db: 'db' });
  assert.doesNotThrow(() => converse(createMongodbProtocol, CFG, [{ dir: 0, ts: 0, data: deep }]));
});

test('mongodb: the JSON written straight from BSON equals JSON.stringify of the decoded document', async () => {
  const { docJson } = await import('../../../../../src/beats/packetbeat/protos/mongodb/bson.js');
  const rnd = seededRandom(Date.now() >>> 0);
  const leaf = (): unknown => {
    const k = Math.floor(rnd() * 12);
    const vals = [
      'str "q" é\n', new Int32(Math.floor(rnd() * 1e6) - 5e5), new Double(rnd() * 100), rnd() < 0.5, null, oid, new Date(Math.floor(rnd() * 2e12)),
      Long.fromString('-9007199254740995'), new Binary(Buffer.from([1, 2])), new BSONRegExp('a+', 'i'), Decimal128.fromString('-0.001'), new Timestamp({ t: 1, i: 2 }),
    ];
    return vals[k];
  };
  const gen = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 6);
    for (let i = 0; i < n; i++) {
      const r = rnd();
      o[`k${i}${r < 0.1 ? '"\\' : ''}`] = depth < 4 && r < 0.25 ? gen(depth + 1) : depth < 4 && r < 0.4 ? [leaf(), gen(depth + 1), leaf()] : leaf();
    }
    return o;
  };
  for (let i = 0; i < 300; i++) {
    const bytes = Buffer.from(serialize(gen(0)));
    const want = JSON.stringify(readDoc(bytes, 0));
    assert.equal(docJson(bytes, 0, bytes.length, 0), want);
    for (const max of [1, 7, 40]) assert.equal(docJson(bytes, 0, bytes.length, max), want.length > max ? `${want.slice(0, max)}...` : want);
  }
});
