// The MySQL parser gives the same transactions however the stream is cut, and survives hostile bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createMysqlProtocol } from '../../../../../src/beats/packetbeat/protos/mysql/index.js';
import { seededRandom } from '../../../../support/random.js';
import { CAPTURES } from './expected.js';
import { bytewise, chunksOfPcap, converse, fieldsOf, mutate, randomChunks, splitsOf, type Chunk } from './harness.js';

const CFG = { ports: [13306], send_request: true, send_response: true };
const NAMES = ['mysql', 'mysql_prepared', 'mysql_pymysql'];

for (const name of NAMES) {
  test(`${name}: every segment split at every byte offset gives the same transactions`, (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const chunks = chunksOfPcap(file, 13306);
    const want = fieldsOf(converse(createMysqlProtocol, CFG, chunks));
    assert.ok(want.length >= 8);
    let variants = 0;
    for (let i = 0; i < chunks.length; i++) {
      for (const v of splitsOf(chunks, i)) {
        assert.deepEqual(fieldsOf(converse(createMysqlProtocol, CFG, v)), want, `segment ${i} split`);
        variants++;
      }
    }
    assert.deepEqual(fieldsOf(converse(createMysqlProtocol, CFG, bytewise(chunks))), want, 'one byte at a time');
    assert.ok(variants > 100);
  });
}

test('mysql: fuzzed captures and random bytes never throw', () => {
  const seed = Date.now() >>> 0;
  const rnd = seededRandom(seed);
  const convs: Chunk[][] = NAMES.filter((n) => existsSync(`${CAPTURES}/${n}.pcap`)).map((n) => chunksOfPcap(`${CAPTURES}/${n}.pcap`, 13306));
  for (let i = 0; i < 600; i++) {
    const base = convs[i % Math.max(1, convs.length)];
    const chunks = base !== undefined && i % 3 !== 0 ? mutate(base, rnd) : randomChunks(rnd, 30);
    assert.doesNotThrow(() => converse(createMysqlProtocol, CFG, chunks), `seed ${seed}, round ${i}`);
  }
});

test('mysql: hostile packet lengths do not make the parser buffer without bound or throw', () => {
  const huge = Buffer.from([0xff, 0xff, 0xff, 0x00, 0x03]);
  const chunks: Chunk[] = Array.from({ length: 50 }, (_, i) => ({ dir: 0, ts: i, data: huge }));
  assert.doesNotThrow(() => converse(createMysqlProtocol, CFG, chunks));
});
