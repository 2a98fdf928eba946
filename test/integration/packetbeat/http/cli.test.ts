import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureFile, readExpected } from './capture-loader.js';
import { cliMissing, readEvents, runOnFile, writeConfig } from './cli-harness.js';

test('npx packetbeat -c cfg -I http.pcap -t publishes the expected HTTP transactions and exits 0', async (t) => {
  const why = cliMissing();
  if (why !== undefined) return t.skip(why);
  const pcap = captureFile('http.pcap');
  if (pcap === undefined) return t.skip('shared capture http.pcap not found (set PACKETBEAT_CAPTURES)');
  const { cfg, out } = writeConfig('  http:\n    ports: [18080]\n');
  const r = await runOnFile(cfg, pcap);
  assert.equal(r.code, 0, r.stderr);
  const events = readEvents(out);
  const expected = readExpected<{ query: string; http_code: number; status: string; client_port: number }>('http.expected.json');
  const key = (q: unknown, code: unknown, status: unknown, port: unknown): string => `${String(port)} ${String(q)} ${String(code)} ${String(status)}`;
  assert.deepEqual(
    events.map((e) => key(e['query'], (e['http'] as Record<string, unknown>)['code'], e['status'], e['client_port'])).sort(),
    expected.map((x) => key(x.query, x.http_code, x.status, x.client_port)).sort(),
  );
  for (const e of events) {
    assert.equal(e['type'], 'http');
    assert.ok(typeof e['@timestamp'] === 'string');
  }
});
