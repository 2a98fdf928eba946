import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { liveMissing, readEvents, sniffWhile, writeConfig } from './cli-harness.js';

interface Reply {
  status: number;
  body: string;
}

function call(port: number, agent: Agent, method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {};
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers }, (res: IncomingMessage) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('live capture on lo: Node http client and server traffic becomes HTTP transactions', async (t) => {
  const why = liveMissing();
  if (why !== undefined) return t.skip(why);
  const server = createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'text/plain', 'content-length': '12' }).end('no such page');
    } else if (req.url === '/chunked') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>one</p>');
      setTimeout(() => res.end('<p>two</p>'), 20);
    } else if (req.method === 'POST') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ received: n })));
    } else {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '5' }).end(req.method === 'HEAD' ? undefined : 'hello');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const { cfg, out } = writeConfig(`  http:\n    ports: [${port}]\n    send_headers: [content-type, transfer-encoding]\n`, 'interfaces:\n  device: lo\n');
  const replies: Reply[] = [];
  const { result, stderr } = await sniffWhile(cfg, async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    replies.push(await call(port, keepAlive, 'GET', '/index.html?lang=en'));
    replies.push(await call(port, keepAlive, 'GET', '/missing'));
    replies.push(await call(port, keepAlive, 'GET', '/chunked'));
    replies.push(await call(port, keepAlive, 'HEAD', '/index.html'));
    replies.push(await call(port, keepAlive, 'POST', '/api/items', '{"name":"beat"}'));
    keepAlive.destroy();
    const fresh = new Agent({ keepAlive: false });
    replies.push(await call(port, fresh, 'GET', '/second-connection'));
    fresh.destroy();
  });
  server.close();
  assert.ok(result, `packetbeat did not stop after SIGINT: ${stderr}`);
  assert.equal(result.code, 0, stderr);
  assert.deepEqual(
    replies.map((r) => r.status),
    [200, 404, 200, 200, 201, 200],
  );
  const events = readEvents(out).filter((e) => e['type'] === 'http');
  const summary = events.map((e) => {
    const http = (e['http'] ?? {}) as Record<string, unknown>;
    const h = (http['response_headers'] ?? {}) as Record<string, unknown>;
    return `${String(e['query'])} ${String(http['code'])} ${String(e['status'])} ${String(h['content-type'])}${h['transfer-encoding'] ? ' chunked' : ''}`;
  });
  assert.deepEqual(summary, [
    'GET /index.html 200 OK text/plain',
    'GET /missing 404 Error text/plain',
    'GET /chunked 200 OK text/html chunked',
    'HEAD /index.html 200 OK text/plain',
    'POST /api/items 201 OK application/json chunked',
    'GET /second-connection 200 OK text/plain',
  ], stderr);
  const first = events[0] as Record<string, unknown>;
  assert.equal(first['params'], 'lang=en');
  assert.equal(first['port'], port);
  assert.equal(first['client_ip'], '127.0.0.1');
  assert.equal(((events[2] as Record<string, unknown>)['http'] as Record<string, unknown>)['content_length'], 20);
  const ports = new Set(events.map((e) => e['client_port']));
  assert.equal(ports.size, 2, 'keep-alive connection plus the second one');
});
