// Live: start our own memcached (TCP and UDP on a free port), sniff `lo` while real sockets speak the text protocol
// over TCP, the binary protocol over TCP and the text protocol over UDP (with a response spread over datagrams).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { createSocket } from 'node:dgram';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { captureSkipReason, sleep, sniffWhile } from '../redis/live-sniff.js';

type Obj = Record<string, unknown>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A socket conversation: send, then wait until the reply so far satisfies `done`. */
class Conv {
  #buf = Buffer.alloc(0);
  #wake: (() => void) | undefined;
  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
  }
  async ask(data: Buffer | string, done: (b: Buffer) => boolean): Promise<Buffer> {
    this.#buf = Buffer.alloc(0);
    this.sock.write(data);
    const deadline = Date.now() + 5000;
    while (!done(this.#buf)) {
      if (Date.now() > deadline) throw new Error(`no reply to ${String(data).slice(0, 40)}`);
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 50);
      });
    }
    return this.#buf;
  }
}

const endsWith = (s: string) => (b: Buffer) => b.toString('latin1').endsWith(s);

function bin(op: number, opaque: number, key = '', value = '', extras = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(24);
  h[0] = 0x80;
  h[1] = op;
  h.writeUInt16BE(key.length, 2);
  h[4] = extras.length;
  h.writeUInt32BE(extras.length + key.length + value.length, 8);
  h.writeUInt32BE(opaque, 12);
  return Buffer.concat([h, extras, Buffer.from(key), Buffer.from(value)]);
}
const binReplies = (n: number) => (b: Buffer): boolean => {
  let off = 0;
  let got = 0;
  while (off + 24 <= b.length) {
    off += 24 + b.readUInt32BE(off + 8);
    if (off <= b.length) got++;
  }
  return got >= n;
};

test('live: real memcached over TCP (text, binary) and UDP', { timeout: 30_000 }, async (t) => {
  let why = captureSkipReason();
  if (why === undefined && spawnSync('memcached', ['-h']).status !== 0) why = 'memcached is not installed';
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const port = await freePort();
  const mc: ChildProcess = spawn('memcached', ['-l', '127.0.0.1', '-p', String(port), '-U', String(port), '-u', 'root', '-m', '16'], { stdio: 'ignore' });
  try {
    await sleep(300);
    const events = await sniffWhile({ memcache: { ports: [port], maxvalues: -1, maxbytespervalue: 16 } }, `port ${port}`, async () => {
      // Text over TCP.
      const s = connect({ host: '127.0.0.1', port });
      await new Promise((r) => s.once('connect', r));
      const c = new Conv(s);
      await c.ask('set live:k 7 0 5\r\nhello\r\n', endsWith('\r\n'));
      await c.ask('get live:k live:none\r\n', endsWith('END\r\n'));
      await c.ask('incr live:k 1\r\n', endsWith('\r\n'));
      await c.ask('set live:n 0 0 2\r\n10\r\nincr live:n 5\r\n', endsWith('15\r\n'));
      await c.ask('delete live:k noreply\r\ndelete live:k\r\n', endsWith('NOT_FOUND\r\n'));
      await c.ask('stats\r\n', endsWith('END\r\n'));
      s.end();
      // Binary over TCP, with a quiet pipeline.
      const bs = connect({ host: '127.0.0.1', port });
      await new Promise((r) => bs.once('connect', r));
      const bc = new Conv(bs);
      await bc.ask(bin(0x01, 1, 'live:b', 'binary-value', Buffer.alloc(8)), binReplies(1));
      await bc.ask(bin(0x00, 2, 'live:b'), binReplies(1));
      await bc.ask(bin(0x00, 3, 'live:nope'), binReplies(1));
      await bc.ask(Buffer.concat([bin(0x0d, 4, 'live:b'), bin(0x0d, 5, 'live:nope'), bin(0x0a, 6)]), binReplies(2));
      bs.end();
      // Text over UDP: a 3000-byte value comes back in several datagrams.
      const u = createSocket('udp4');
      const replies: Buffer[] = [];
      u.on('message', (m) => replies.push(m));
      const frame = (id: number, body: string): Buffer => {
        const h = Buffer.alloc(8);
        h.writeUInt16BE(id, 0);
        h.writeUInt16BE(1, 4);
        return Buffer.concat([h, Buffer.from(body)]);
      };
      u.send(frame(1, `set live:u 0 0 3000\r\n${'u'.repeat(3000)}\r\n`), port, '127.0.0.1');
      await sleep(200);
      u.send(frame(2, 'get live:u\r\n'), port, '127.0.0.1');
      await sleep(300);
      u.close();
      assert.ok(replies.length >= 3, `UDP replies: ${replies.length}`);
    });
    const rows = events.map((e) => {
      const m = e.fields['memcache'] as Obj;
      const resp = (m['response'] ?? {}) as Obj;
      return [e.fields['transport'], m['protocol_type'], e.fields['method'], e.fields['status'], resp['status'] ?? resp['command'] ?? null];
    });
    assert.deepEqual(rows, [
      ['tcp', 'text', 'set', 'OK', 'STORED'],
      ['tcp', 'text', 'get', 'OK', 'VALUE'],
      ['tcp', 'text', 'incr', 'Error', 'CLIENT_ERROR'],
      ['tcp', 'text', 'set', 'OK', 'STORED'],
      ['tcp', 'text', 'incr', 'OK', 'COUNTER'],
      ['tcp', 'text', 'delete', 'OK', null],
      ['tcp', 'text', 'delete', 'Error', 'NOT_FOUND'],
      ['tcp', 'text', 'stats', 'OK', 'STAT'],
      ['tcp', 'binary', 'set', 'OK', 'Success'],
      ['tcp', 'binary', 'get', 'OK', 'Success'],
      ['tcp', 'binary', 'get', 'Error', 'Key not found'],
      ['tcp', 'binary', 'getkq', 'OK', 'Success'],
      ['tcp', 'binary', 'getkq', 'OK', null],
      ['tcp', 'binary', 'noop', 'OK', 'Success'],
      ['udp', 'text', 'set', 'OK', 'STORED'],
      ['udp', 'text', 'get', 'OK', 'VALUE'],
    ]);
    const field = (i: number, side: string, k: string): unknown => (((events[i]!.fields['memcache'] as Obj)[side] ?? {}) as Obj)[k];
    assert.deepEqual(field(1, 'response', 'values'), ['hello']);
    assert.deepEqual(field(1, 'response', 'keys'), ['live:k']);
    assert.equal(field(1, 'response', 'flags'), 7);
    assert.equal(field(4, 'response', 'value'), 15);
    assert.ok((field(7, 'response', 'stats') as unknown[]).length > 20);
    assert.deepEqual(field(9, 'response', 'values'), ['binary-value']);
    assert.equal(field(15, 'response', 'bytes'), 3000);
    assert.deepEqual(field(15, 'response', 'values'), ['u'.repeat(16)]);
    const udpGet: BeatEvent = events[15]!;
    assert.ok((udpGet.fields['bytes_out'] as number) > 3000);
  } finally {
    mc.kill('SIGTERM');
  }
});
