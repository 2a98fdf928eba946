// Every MySQL capture of the shared corpus gives exactly its expected transactions (driven by the test pcap driver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createMysqlProtocol } from '../../../../../src/beats/packetbeat/protos/mysql/index.js';
import { feedPcap, frameTimes } from './pcap-feed.js';
import { assertTransaction, CAPTURES, loadExpected } from './expected.js';

for (const name of ['mysql', 'mysql_prepared', 'mysql_pymysql']) {
  test(`${name}.pcap decodes to ${name}.expected.json`, (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const expected = loadExpected(name);
    const events = feedPcap(file, createMysqlProtocol, { ports: [13306] });
    assert.equal(events.length, expected.length, `number of transactions: ${JSON.stringify(events.map((e) => e.event.fields['query']))}`);
    const times = frameTimes(file);
    expected.forEach((exp, i) => {
      const got = events[i]!;
      assertTransaction(got.event, exp, 'mysql', times);
      assert.equal(got.frame, exp['response_frame'], `transaction ${i}: completed by the response frame`);
    });
  });
}

test('mysql.pcap with send_request/send_response: query and CSV rows, no credentials', () => {
  const file = `${CAPTURES}/mysql.pcap`;
  if (!existsSync(file)) return;
  const events = feedPcap(file, createMysqlProtocol, { ports: [13306], send_request: true, send_response: true, max_rows: 2, max_row_length: 20 });
  const sel = events.find((e) => e.event.fields['query'] === 'SELECT id, name, email, age FROM users ORDER BY id')!;
  assert.equal(sel.event.fields['request'], 'SELECT id, name, email, age FROM users ORDER BY id');
  assert.equal(sel.event.fields['response'], 'id,name,email,age\n1,alice,alice@exampl\n2,bob,bob@example.co');
  const all = JSON.stringify(events.map((e) => e.event.fields));
  assert.ok(!/mysql_native_password/.test(all), 'nothing of the login phase in events');
});
