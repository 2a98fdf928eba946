import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureFile, readExpected } from '../http/capture-loader.js';
import { cliMissing, readEvents, runOnFile, writeConfig } from '../http/cli-harness.js';

for (const capture of ['dns_udp', 'dns_tcp']) {
  test(`npx packetbeat -c cfg -I ${capture}.pcap -t publishes the expected DNS transactions and exits 0`, async (t) => {
    const why = cliMissing();
    if (why !== undefined) return t.skip(why);
    const pcap = captureFile(`${capture}.pcap`);
    if (pcap === undefined) return t.skip(`shared capture ${capture}.pcap not found (set PACKETBEAT_CAPTURES)`);
    const { cfg, out } = writeConfig('  dns:\n    ports: [15353]\n');
    const r = await runOnFile(cfg, pcap);
    assert.equal(r.code, 0, r.stderr);
    const events = readEvents(out);
    const expected = readExpected<{ query: string; dns_id: number; response_code: string; transport: string }>(`${capture}.expected.json`);
    const key = (tr: unknown, id: unknown, q: unknown, rc: unknown): string => `${String(tr)} ${String(id)} ${String(q)} ${String(rc)}`;
    assert.deepEqual(
      events.map((e) => {
        const dns = e['dns'] as Record<string, unknown>;
        return key(e['transport'], dns['id'], e['query'], dns['response_code']);
      }).sort(),
      expected.map((x) => key(x.transport, x.dns_id, x.query, x.response_code)).sort(),
    );
  });
}
