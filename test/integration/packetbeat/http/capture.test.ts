import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { captureFile, loadRunCapture, readExpected } from './capture-loader.js';

interface ExpectedHttp {
  type: string;
  transport: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  port: number;
  method: string;
  path: string;
  query: string;
  query_string?: string;
  request_content_length?: number;
  http_code: number;
  http_phrase: string;
  status: string;
  chunked: boolean;
  response_content_length?: number;
  response_body_bytes: number;
  content_type: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v ?? {}) as Obj;

describe('HTTP on the shared captures', () => {
  it('http.pcap yields exactly the expected transactions', async (t) => {
    const file = captureFile('http.pcap');
    if (file === undefined) return t.skip('shared capture http.pcap not found (set PACKETBEAT_CAPTURES)');
    const runCapture = await loadRunCapture();
    if (typeof runCapture === 'string') return t.skip(runCapture);
    const events = await runCapture(file, {
      http: { ports: [18080], send_headers: ['content-type', 'content-length', 'transfer-encoding'] },
    });
    const expected = readExpected<ExpectedHttp>('http.expected.json');
    assert.equal(events.length, expected.length, `event count (${events.map((e) => e.fields['query']).join(', ')})`);
    const left = [...events];
    for (const x of expected) {
      const i = left.findIndex(
        (e) => e.fields['client_ip'] === x.client_ip && e.fields['client_port'] === x.client_port && e.fields['query'] === x.query,
      );
      assert.ok(i >= 0, `no event for ${x.query} from ${x.client_ip}:${x.client_port}`);
      const e = left.splice(i, 1)[0] as BeatEvent;
      const f = e.fields;
      const http = obj(f['http']);
      const req = obj(http['request_headers']);
      const resp = obj(http['response_headers']);
      const what = `${x.query} (${x.client_port})`;
      assert.equal(f['type'], x.type, what);
      assert.equal(f['transport'], x.transport, what);
      assert.equal(f['ip'], x.server_ip, what);
      assert.equal(f['port'], x.port, what);
      assert.equal(f['method'], x.method, what);
      assert.equal(f['path'], x.path, what);
      assert.equal(f['params'], x.query_string ?? (x.request_content_length !== undefined && x.method === 'POST' ? f['params'] : undefined), what);
      assert.equal(f['status'], x.status, what);
      assert.equal(http['code'], x.http_code, what);
      assert.equal(http['phrase'], x.http_phrase, what);
      assert.equal(http['content_length'], x.response_content_length ?? x.response_body_bytes, what);
      assert.equal(resp['content-type'], x.content_type, what);
      assert.equal(resp['transfer-encoding'] === 'chunked', x.chunked, what);
      assert.equal(req['content-length'], x.request_content_length === undefined ? undefined : String(x.request_content_length), what);
      assert.equal(typeof f['responsetime'], 'number', what);
      assert.ok((f['bytes_out'] as number) >= x.response_body_bytes, what);
      assert.equal(f['notes'], undefined, what);
    }
  });

  it('send_request / send_response and include_body_for on the capture', async (t) => {
    const file = captureFile('http.pcap');
    if (file === undefined) return t.skip('shared capture http.pcap not found (set PACKETBEAT_CAPTURES)');
    const runCapture = await loadRunCapture();
    if (typeof runCapture === 'string') return t.skip(runCapture);
    const events = await runCapture(file, {
      http: { ports: [18080], send_request: true, send_response: true, include_body_for: ['application/json'] },
    });
    const post = events.find((e) => e.fields['query'] === 'POST /api/items');
    assert.ok(post);
    assert.match(String(post.fields['request']), /^POST \/api\/items HTTP\/1\.1\r\n[\s\S]*\r\n\r\n\{/);
    assert.match(String(post.fields['response']), /^HTTP\/1\.1 201 Created\r\n[\s\S]*\r\n\r\n\S/);
    const html = events.find((e) => e.fields['query'] === 'GET /index.html');
    assert.match(String(html?.fields['response']), /\r\n\r\n$/, 'text/html body not included');
  });
});
