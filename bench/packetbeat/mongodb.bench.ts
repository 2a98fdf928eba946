// MongoDB transactions/s: a synthetic conversation (every opcode, built with the `bson` package) repeated on many
// connections, through the parser alone and through the whole engine, against tshark's mongo dissector on the
// same file. Run: npm run bench -- mongodb
import { Long, ObjectId } from 'bson';
import { createMongodbProtocol } from '../../src/beats/packetbeat/protos/mongodb/index.js';
import type { Chunk } from '../../test/unit/packetbeat/protos/mysql/harness.js';
import { runProtocolBench } from '../../test/unit/packetbeat/protos/mysql/bench-support.js';
import { opDelete, opInsert, opMsg, opMsgReply, opQuery, opReply, opUpdate } from '../../test/unit/packetbeat/protos/mongodb/wire.js';

const docs = Array.from({ length: 5 }, (_, i) => ({ _id: new ObjectId(), name: `user${i}`, age: 20 + i, tags: ['a', 'b'], created: new Date(0) }));
const msgs: [0 | 1, Buffer][] = [];
for (let k = 0; k < 4; k++) {
  const id = k * 10;
  msgs.push([0, opMsg(id + 1, { find: 'users', filter: { age: { $gt: 21 } }, limit: 5, $db: 'shop', lsid: { id: new ObjectId() } })]);
  msgs.push([1, opMsgReply(id + 101, id + 1, { cursor: { firstBatch: docs, id: Long.fromNumber(0), ns: 'shop.users' }, ok: 1 })]);
  msgs.push([0, opMsg(id + 2, { insert: 'users', $db: 'shop' }, { sequences: [['documents', docs.slice(0, 2)]] })]);
  msgs.push([1, opMsgReply(id + 102, id + 2, { n: 2, ok: 1 })]);
  msgs.push([0, opQuery(id + 3, 'shop.users', { name: 'user1' }, { limit: 1 })]);
  msgs.push([1, opReply(id + 103, id + 3, docs.slice(1, 2))]);
  msgs.push([0, opInsert(id + 4, 'shop.logs', [{ m: 'x' }])]);
  msgs.push([0, opUpdate(id + 5, 'shop.users', { name: 'user1' }, { $set: { age: 99 } })]);
  msgs.push([0, opDelete(id + 6, 'shop.users', { name: 'user2' })]);
}
const chunks: Chunk[] = msgs.map(([dir, data], i) => ({ dir, ts: 1_700_000_000_000 + i, data }));
await runProtocolBench({ name: 'mongodb', factory: createMongodbProtocol, port: 27017, chunks, tshark: 'mongo', conns: Number(process.env['BENCH_CONNS'] ?? 1500) });
