import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { captureFile, loadRunCapture, readExpected } from '../http/capture-loader.js';

interface ExpectedDns {
  type: string;
  transport: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  port: number;
  method: string;
  query: string;
  path: string;
  question: { name: string; type: string };
  dns_id: number;
  response_code: string;
  status: string;
  answers_count: number;
  authorities_count: number;
  additionals_count: number;
  answers: Array<{ name: string; type: string; ttl: number; data: unknown }>;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v ?? {}) as Obj;

for (const capture of ['dns_udp', 'dns_tcp']) {
  describe(`DNS on the shared capture ${capture}.pcap`, () => {
    it('yields exactly the expected transactions', async (t) => {
      const file = captureFile(`${capture}.pcap`);
      if (file === undefined) return t.skip(`shared capture ${capture}.pcap not found (set PACKETBEAT_CAPTURES)`);
      const runCapture = await loadRunCapture();
      if (typeof runCapture === 'string') return t.skip(runCapture);
      const events = await runCapture(file, { dns: { ports: [15353], include_additionals: true } });
      const expected = readExpected<ExpectedDns>(`${capture}.expected.json`);
      assert.equal(events.length, expected.length, `event count (${events.map((e) => e.fields['query']).join(', ')})`);
      const left = [...events];
      for (const x of expected) {
        const i = left.findIndex((e) => e.fields['client_port'] === x.client_port && obj(e.fields['dns'])['id'] === x.dns_id);
        assert.ok(i >= 0, `no event for ${x.query} id ${x.dns_id}`);
        const f = (left.splice(i, 1)[0] as BeatEvent).fields;
        const dns = obj(f['dns']);
        const what = `${x.query} (id ${x.dns_id})`;
        assert.equal(f['type'], x.type, what);
        assert.equal(f['transport'], x.transport, what);
        assert.equal(f['client_ip'], x.client_ip, what);
        assert.equal(f['ip'], x.server_ip, what);
        assert.equal(f['port'], x.port, what);
        assert.equal(f['method'], x.method, what);
        assert.equal(f['query'], x.query, what);
        assert.equal(f['path'], x.path, what);
        assert.equal(f['status'], x.status, what);
        assert.equal(f['notes'], undefined, what);
        assert.deepEqual(obj(dns['question']), { ...x.question, class: 'IN' }, what);
        assert.equal(dns['response_code'], x.response_code, what);
        assert.equal(dns['answers_count'], x.answers_count, what);
        assert.equal(dns['authorities_count'], x.authorities_count, what);
        assert.equal(dns['additionals_count'], x.additionals_count, what);
        assert.equal((dns['additionals'] as unknown[]).length, x.additionals_count, what);
        assert.deepEqual(
          (dns['answers'] as Obj[]).map((a) => ({ name: a['name'], type: a['type'], ttl: a['ttl'], data: a['data'] })),
          x.answers,
          what,
        );
        assert.equal(typeof f['responsetime'], 'number', what);
      }
    });
  });
}
