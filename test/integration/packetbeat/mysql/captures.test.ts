// Through the real engine (pcap reader, decoder, TCP reassembly, dispatch): every MySQL capture of the shared
// corpus gives exactly its expected transactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { frameTimes } from '../../../unit/packetbeat/protos/mysql/pcap-feed.js';
import { assertTransaction, CAPTURES, loadExpected } from '../../../unit/packetbeat/protos/mysql/expected.js';

for (const name of ['mysql', 'mysql_prepared', 'mysql_pymysql']) {
  test(`engine: ${name}.pcap gives ${name}.expected.json`, async (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const expected = loadExpected(name);
    const events = await runCapture(file, { mysql: { ports: [13306] } });
    assert.equal(events.length, expected.length, JSON.stringify(events.map((e) => e.fields['query'])));
    const times = frameTimes(file);
    expected.forEach((exp, i) => assertTransaction(events[i]!, exp, 'mysql', times));
    for (const e of events) {
      assert.equal(typeof e.fields['bytes_in'], 'number');
      assert.equal(typeof e.fields['bytes_out'], 'number');
    }
  });
}
