// Every MySQL capture of the shared corpus gives exactly its expected transactions (driven by the test pcap driver).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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

test('mysql_prepared.pcap: binary rows of executes without column definitions decode with the prepare columns', () => {
  const file = `${CAPTURES}/mysql_prepared.pcap`;
  if (!existsSync(file)) return;
  const events = feedPcap(file, createMysqlProtocol, { ports: [13306], send_response: true });
  const execs = events.filter((e) => (e.event.fields['mysql'] as Record<string, unknown>)['command'] === 'COM_STMT_EXECUTE' && e.event.fields['method'] === 'SELECT');
  assert.deepEqual(execs.map((e) => e.event.fields['response']), ['id,name,age\n1,alice,30\n3,carol,41\n6,frank,52', 'id,name,age\n6,frank,52']);
});

test('text rows decoded for `response` equal tshark\'s mysql.row.text of the same frames', () => {
  let compared = 0;
  for (const name of ['mysql', 'mysql_pymysql']) {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) continue;
    const [head, ...lines] = readFileSync(`${CAPTURES}/${name}.tshark.tsv`, 'utf8').trim().split('\n');
    const cols = head!.split('\t');
    const rowCol = cols.indexOf('mysql.row.text');
    const rowsByFrame = new Map(lines.map((l) => l.split('\t')).filter((f) => (f[rowCol] ?? '') !== '').map((f) => [Number(f[0]), f[rowCol]!]));
    const events = feedPcap(file, createMysqlProtocol, { ports: [13306], send_response: true, max_rows: 1000 });
    for (const e of events) {
      const want = e.frame !== undefined ? rowsByFrame.get(e.frame) : undefined;
      if (want === undefined) continue;
      const rows = String(e.event.fields['response']).split('\n').slice(1);
      assert.equal(rows.map((r) => r.split(',').join('|')).join('|'), want, `frame ${e.frame}`);
      compared++;
    }
  }
  assert.ok(compared >= 4, `compared ${compared} result sets`);
});
