// Through the real engine: every PostgreSQL capture of the shared corpus gives exactly its expected transactions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { frameTimes } from '../../../unit/packetbeat/protos/mysql/pcap-feed.js';
import { assertTransaction, CAPTURES, loadExpected } from '../../../unit/packetbeat/protos/mysql/expected.js';

for (const name of ['pgsql', 'pgsql_extended']) {
  test(`engine: ${name}.pcap gives ${name}.expected.json`, async (t) => {
    const file = `${CAPTURES}/${name}.pcap`;
    if (!existsSync(file)) return t.skip(`capture ${file} not present`);
    const expected = loadExpected(name);
    const events = await runCapture(file, { pgsql: { ports: [15432] } });
    assert.equal(events.length, expected.length, JSON.stringify(events.map((e) => e.fields['query'])));
    const times = frameTimes(file);
    expected.forEach((exp, i) => assertTransaction(events[i]!, exp, 'pgsql', times));
  });
}
