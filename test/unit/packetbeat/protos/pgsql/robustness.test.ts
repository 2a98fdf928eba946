// The PostgreSQL parser gives the same transactions however the stream is cut, and survives hostile bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createPgsqlProtocol } from '../../../../../src/beats/packetbeat/protos/pgsql/index.js';
import { seededRandom } from '../../../../support/random.js';
import { CAPTURES } from '../mysql/expected.js';
import { bytewise, chunksOfPcap, converse, fieldsOf, mutate, randomChunks, splitsOf, type Chunk } from '../mysql/harness.js';

const CFG = { ports: [15432], send_request: true, send_response: true };
const NAMES = ['pgsql', 'pgsql_extended'];

for (const name of NAMES) {
  test(`${name}: every segment split at every byte offset gives the same transactions`, (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const chunks = chunksOfPcap(file, 15432);
    const want = fieldsOf(converse(createPgsqlProtocol, CFG, chunks));
    assert.ok(want.length >= 5);
    for (let i = 0; i < chunks.length; i++) {
      for (const v of splitsOf(chunks, i)) assert.deepEqual(fieldsOf(converse(createPgsqlProtocol, CFG, v)), want, `segment ${i} split`);
    }
    assert.deepEqual(fieldsOf(converse(createPgsqlProtocol, CFG, bytewise(chunks))), want, 'one byte at a time');
  });
}

test('pgsql: fuzzed captures and random bytes never throw', () => {
  const seed = Date.now() >>> 0;
  const rnd = seededRandom(seed);
  const convs: Chunk[][] = NAMES.filter((n) => existsSync(`${CAPTURES}/${n}.pcap`)).map((n) => chunksOfPcap(`${CAPTURES}/${n}.pcap`, 15432));
  for (let i = 0; i < 600; i++) {
    const base = convs[i % Math.max(1, convs.length)];
    const chunks = base !== undefined && i % 3 !== 0 ? mutate(base, rnd) : randomChunks(rnd, 30);
    assert.doesNotThrow(() => converse(createPgsqlProtocol, CFG, chunks), `seed ${seed}, round ${i}`);
  }
});
