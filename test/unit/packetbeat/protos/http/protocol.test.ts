import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import { ConfigError } from '../../../../../src/libbeat/common/errors.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import type { Direction, TcpConnection } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { HttpProtocol, createHttpProtocol, type HttpConnState } from '../../../../../src/beats/packetbeat/protos/http/index.js';

const CONN: TcpConnection = { id: 1, client: { ip: '10.0.0.1', port: 50000 }, server: { ip: '10.0.0.2', port: 80 } };

class Harness {
  readonly events: BeatEvent[] = [];
  now = 1_000_000;
  readonly proto: HttpProtocol;
  state: HttpConnState | undefined;

  constructor(cfg: Record<string, unknown> = {}) {
    const p = createHttpProtocol(new ConfigNode(cfg, 'packetbeat.yml', 'protocols.http'), {
      report: (e) => this.events.push(e),
      log: nopLogger,
      now: () => this.now,
    });
    assert.ok(p instanceof HttpProtocol);
    this.proto = p;
  }

  send(dir: Direction, text: string | Buffer, dtMs = 0): this {
    this.now += dtMs;
    const payload = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
    this.state = this.proto.parse({ ts: this.now, payload }, CONN, dir, this.state);
    return this;
  }

  close(): this {
    this.proto.connectionClosed(CONN, this.state);
    this.state = undefined;
    return this;
  }

  fields(i = 0): Record<string, unknown> {
    const e = this.events[i];
    assert.ok(e, `event ${i} exists (have ${this.events.length})`);
    return e.fields;
  }
}

const http = (f: Record<string, unknown>): Record<string, unknown> => f['http'] as Record<string, unknown>;

describe('HTTP protocol', () => {
  it('reads the 1.0 options with their defaults and rejects bad values naming the option', () => {
    const h = new Harness();
    assert.deepEqual(h.proto.ports, [80, 8080, 8000, 5000, 8002]);
    assert.equal(h.proto.transactionTimeoutMs, 10_000);
    assert.throws(() => new Harness({ send_all_headers: 'maybe' }), (e: unknown) => e instanceof ConfigError && /protocols\.http\.send_all_headers/.test(e.message));
    assert.throws(() => new Harness({ ports: [80, 'x'] }), (e: unknown) => e instanceof ConfigError && /protocols\.http\.ports\.1/.test(e.message));
    assert.throws(() => new Harness({ hide_keywords: { a: 1 } }), ConfigError);
  });

  it('publishes one transaction per exchange with the 1.0 fields', () => {
    const h = new Harness();
    h.send(0, 'GET /index.html?a=1&b=2 HTTP/1.1\r\nHost: x\r\n\r\n');
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 12);
    const f = h.fields();
    assert.equal(h.events.length, 1);
    assert.equal(h.events[0]?.timestamp.getTime(), 1_000_000);
    assert.deepEqual(
      { ...f, http: undefined },
      {
        type: 'http',
        transport: 'tcp',
        status: 'OK',
        client_ip: '10.0.0.1',
        client_port: 50000,
        ip: '10.0.0.2',
        port: 80,
        responsetime: 12,
        method: 'GET',
        path: '/index.html',
        query: 'GET /index.html',
        params: 'a=1&b=2',
        bytes_in: 45,
        bytes_out: 43,
        http: undefined,
      },
    );
    assert.deepEqual(http(f), { code: 200, phrase: 'OK', content_length: 5 });
  });

  it('sets status Error for codes >= 400', () => {
    const h = new Harness();
    h.send(0, 'GET /a HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 399 Fine\r\nContent-Length: 0\r\n\r\n');
    h.send(0, 'GET /b HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    h.send(0, 'GET /c HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(
      h.events.map((e) => [e.fields['path'], e.fields['status']]),
      [
        ['/a', 'OK'],
        ['/b', 'Error'],
        ['/c', 'Error'],
      ],
    );
  });

  it('pairs pipelined requests with responses in order, HEAD answered without body', () => {
    const h = new Harness();
    h.send(0, 'HEAD /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n');
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    h.send(1, 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(
      h.events.map((e) => [e.fields['query'], http(e.fields)['code'], http(e.fields)['content_length']]),
      [
        ['HEAD /1', 200, 100],
        ['GET /2', 200, 2],
        ['GET /3', 404, 0],
      ],
    );
  });

  it('ignores 100 Continue and pairs the final response with the request', () => {
    const h = new Harness();
    h.send(0, 'POST /up HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n');
    h.send(1, 'HTTP/1.1 100 Continue\r\n\r\n');
    h.send(0, 'abc').send(1, 'HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n');
    assert.equal(h.events.length, 1);
    assert.equal(http(h.fields())['code'], 201);
    assert.equal(h.fields()['bytes_in'], 65);
  });

  it('completes a body delimited by the close of the connection on FIN', () => {
    const h = new Harness();
    h.send(0, 'GET /old HTTP/1.0\r\n\r\n').send(1, 'HTTP/1.0 200 OK\r\n\r\nsome body');
    assert.equal(h.events.length, 0);
    h.state = h.proto.receivedFin(CONN, 1, h.state);
    assert.equal(h.events.length, 1);
    assert.equal(http(h.fields())['content_length'], 9);
  });

  it('publishes requests left without a response when the connection closes', () => {
    const h = new Harness();
    h.send(0, 'GET /lost HTTP/1.1\r\n\r\n').close();
    assert.equal(h.events.length, 1);
    assert.equal(h.fields()['status'], 'Error');
    assert.deepEqual(h.fields()['notes'], ['Response not found']);
    assert.equal(http(h.fields())['code'], undefined);
  });

  it('expires requests after transaction_timeout and drops their late response', () => {
    const h = new Harness({ transaction_timeout: '2s' });
    h.send(0, 'GET /slow HTTP/1.1\r\n\r\n');
    h.proto.expire(h.now + 1000);
    assert.equal(h.events.length, 0);
    h.proto.expire(h.now + 2500);
    assert.equal(h.events.length, 1);
    assert.deepEqual(h.fields()['notes'], ['Response not found']);
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 3000);
    h.send(0, 'GET /next HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(
      h.events.map((e) => e.fields['path']),
      ['/slow', '/next'],
    );
  });

  it('keeps a request whose response is still arriving past the timeout', () => {
    const h = new Harness({ transaction_timeout: '1s' });
    h.send(0, 'GET /big HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234');
    h.proto.expire(h.now + 5000);
    assert.equal(h.events.length, 0);
    h.send(1, '56789', 5000);
    assert.equal(h.fields()['status'], 'OK');
  });

  it('publishes a response without a request with a note', () => {
    const h = new Harness();
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(h.fields()['notes'], ['Request not found']);
  });

  it('send_headers, send_all_headers, split_cookie, redact_authorization and real_ip_header', () => {
    const req =
      'GET / HTTP/1.1\r\nHost: h\r\nCookie: SID=abc; Theme=dark\r\nAuthorization: Basic dXNlcjpwYXNz\r\n' +
      'X-Forwarded-For: 203.0.113.7, 10.0.0.9\r\nAccept: a\r\nAccept: b\r\n\r\n';
    const resp = 'HTTP/1.1 200 OK\r\nSet-Cookie: k=v; Path=/\r\nContent-Length: 0\r\n\r\n';
    const some = new Harness({ send_headers: ['Host', 'accept'] }).send(0, req).send(1, resp);
    assert.deepEqual(http(some.fields())['request_headers'], { host: 'h', accept: 'a, b' });
    assert.equal(http(some.fields())['response_headers'], undefined);

    const all = new Harness({ send_all_headers: true, split_cookie: true, redact_authorization: true, real_ip_header: 'X-Forwarded-For' });
    all.send(0, req).send(1, resp);
    const rh = http(all.fields())['request_headers'] as Record<string, unknown>;
    assert.deepEqual(rh['cookie'], { sid: 'abc', theme: 'dark' });
    assert.equal(rh['authorization'], '*');
    assert.deepEqual(http(all.fields())['response_headers'], { 'set-cookie': { k: 'v' }, 'content-length': '0' });
    assert.equal(all.fields()['real_ip'], '203.0.113.7');

    const plain = new Harness({ send_all_headers: true }).send(0, req).send(1, resp);
    assert.equal((http(plain.fields())['request_headers'] as Record<string, unknown>)['cookie'], 'SID=abc; Theme=dark');
  });

  it('hide_keywords in params and in the raw request, form bodies included', () => {
    const h = new Harness({ hide_keywords: ['pass', 'Secret'], send_request: true });
    const body = 'user=bob&pass=hunter2';
    h.send(0, `POST /login?secret=s1&x=1 HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    h.send(1, 'HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n');
    assert.equal(h.fields()['params'], 'secret=xxxxx&x=1&user=bob&pass=xxxxx');
    const raw = h.fields()['request'] as string;
    assert.match(raw, /^POST \/login\?secret=xxxxx&x=1 HTTP\/1\.1\r\n/);
    assert.doesNotMatch(raw, /hunter2|s1/);
  });

  it('send_request / send_response with include_body_for and redacted Authorization', () => {
    const h = new Harness({ send_request: true, send_response: true, include_body_for: ['text/html'], redact_authorization: true });
    h.send(0, 'GET / HTTP/1.1\r\nAuthorization: Bearer tok\r\n\r\n');
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 6\r\n\r\n<html>');
    h.send(0, 'GET /img HTTP/1.1\r\n\r\n');
    h.send(1, 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 3\r\n\r\nPNG');
    assert.equal(h.fields(0)['request'], 'GET / HTTP/1.1\r\nAuthorization: **********\r\n\r\n');
    assert.equal(h.fields(0)['response'], 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: 6\r\n\r\n<html>');
    assert.equal(h.fields(1)['response'], 'HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 3\r\n\r\n');
    const quiet = new Harness().send(0, 'GET / HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(quiet.fields()['request'], undefined);
    assert.equal(quiet.fields()['response'], undefined);
  });

  it('gives up parsing after 101 Switching Protocols', () => {
    const h = new Harness();
    h.send(0, 'GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n').send(1, 'HTTP/1.1 101 Switching Protocols\r\n\r\n');
    h.send(0, Buffer.from([0x81, 0x85, 1, 2, 3, 4, 5])).send(1, 'GET / HTTP/1.1\r\n\r\n');
    h.close();
    assert.equal(h.events.length, 1);
    assert.equal(http(h.fields())['code'], 101);
  });

  it('gives up parsing once a CONNECT tunnel is established', () => {
    const h = new Harness();
    h.send(0, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n').send(1, 'HTTP/1.1 200 Connection Established\r\n\r\n');
    h.send(0, Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])).send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    h.close();
    assert.equal(h.events.length, 1);
    assert.equal(h.fields()['query'], 'CONNECT example.com:443');
  });

  it('bridges a gap in a response body and notes it', () => {
    const h = new Harness();
    h.send(0, 'GET /f HTTP/1.1\r\n\r\n').send(1, 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nab');
    const r = h.proto.gapInStream(CONN, 1, 990, h.state);
    assert.equal(r.drop, false);
    h.state = r.state;
    h.send(1, '12345678');
    assert.equal(h.fields()['status'], 'OK');
    assert.deepEqual(h.fields()['notes'], ['Packet loss while capturing the response']);
  });

  it('keeps requests and responses paired when a response loses its headers to a gap', () => {
    const h = new Harness();
    h.send(0, 'GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n');
    h.send(1, 'HTTP/1.1 503 Busy\r\nContent-Ty');
    const g = h.proto.gapInStream(CONN, 1, 40, h.state);
    h.state = g.state;
    h.send(1, 'the rest of a lost body\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.deepEqual(
      h.events.map((e) => [e.fields['path'], http(e.fields)['code'], e.fields['notes']]),
      [
        ['/1', 503, ['Packet loss while capturing the response']],
        ['/2', 200, undefined],
      ],
    );
  });

  it('bounds the requests waiting on one connection', () => {
    const h = new Harness();
    h.send(0, 'GET / HTTP/1.1\r\n\r\n'.repeat(1500));
    assert.equal(h.events.length, 500);
    assert.equal(h.state?.pending.length, 1000);
    h.close();
    assert.equal(h.events.length, 1500);
  });
});
