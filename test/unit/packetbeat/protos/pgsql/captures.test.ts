// Every PostgreSQL capture of the shared corpus gives exactly its expected transactions (test pcap driver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createPgsqlProtocol } from '../../../../../src/beats/packetbeat/protos/pgsql/index.js';
import { feedPcap, frameTimes } from '../mysql/pcap-feed.js';
import { assertTransaction, CAPTURES, loadExpected } from '../mysql/expected.js';

for (const name of ['pgsql', 'pgsql_extended']) {
  test(`${name}.pcap decodes to ${name}.expected.json`, (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const expected = loadExpected(name);
    const events = feedPcap(file, createPgsqlProtocol, { ports: [15432] });
    assert.equal(events.length, expected.length, `number of transactions: ${JSON.stringify(events.map((e) => e.event.fields['query']))}`);
    const times = frameTimes(file);
    expected.forEach((exp, i) => assertTransaction(events[i]!.event, exp, 'pgsql', times));
  });
}

test('pgsql.pcap: the SCRAM login never reaches an event; send_response gives CSV rows', () => {
  const file = `${CAPTURES}/pgsql.pcap`;
  if (!existsSync(file)) return;
  const events = feedPcap(file, createPgsqlProtocol, { ports: [15432], send_request: true, send_response: true, max_rows: 2 });
  const all = JSON.stringify(events.map((e) => e.event.fields));
  assert.ok(!/SCRAM|n,,n=|client-final|p=/.test(all), 'no SASL data in events');
  const sel = events.find((e) => e.event.fields['query'] === 'SELECT id, name, price, qty FROM products ORDER BY id')!;
  assert.equal(sel.event.fields['response'], 'id,name,price,qty\n1,widget,9.99,10\n2,gadget,24.50,3');
  assert.equal(sel.event.fields['request'], 'SELECT id, name, price, qty FROM products ORDER BY id');
});
