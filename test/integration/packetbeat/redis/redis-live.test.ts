// Live: sniff `lo` while ioredis talks to the real Redis at 127.0.0.1:6379 (commands, replies, errors, a pipeline,
// a 300 KB value, AUTH whose password must not appear anywhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { captureSkipReason, sniffWhile } from './live-sniff.js';

async function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: 6379 });
    s.setTimeout(2000);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
    s.once('timeout', () => (s.destroy(), resolve(false)));
  });
}

test('live: ioredis against the real Redis', { timeout: 30_000 }, async (t) => {
  const why = captureSkipReason() ?? ((await redisUp()) ? undefined : 'redis not reachable at 127.0.0.1:6379');
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const key = `pbkv:live:${process.pid}`;
  const big = 'x'.repeat(300_000);
  const PASSWORD = 'hunter2-live-secret';
  const events = await sniffWhile({ redis: { ports: [6379], send_request: true, send_response: true } }, 'tcp port 6379', async () => {
    const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0 });
    await r.connect();
    try {
      await r.set(`${key}:a`, 'hello');
      assert.equal(await r.get(`${key}:a`), 'hello');
      assert.equal(await r.get(`${key}:missing`), null);
      await r.rpush(`${key}:l`, 'one', 'two', 'three');
      await r.lrange(`${key}:l`, 0, -1);
      await assert.rejects(r.incr(`${key}:a`));
      await r.set(`${key}:big`, big);
      assert.equal((await r.get(`${key}:big`))?.length, big.length);
      await assert.rejects(r.call('AUTH', PASSWORD));
      const res = await r.pipeline().set(`${key}:p1`, '1').incr(`${key}:p1`).get(`${key}:p1`).exec();
      assert.equal(res?.length, 3);
      await r.del(`${key}:a`, `${key}:l`, `${key}:big`, `${key}:p1`);
    } finally {
      r.disconnect();
    }
  });
  const mine = events.filter((e) => String(e.fields['query'] ?? '').includes(key) || e.fields['method'] === 'AUTH');
  const rows = mine.map((e) => {
    const r = e.fields['redis'] as Record<string, unknown>;
    return [e.fields['method'], e.fields['status'], r['return_value'] ?? r['error'] ?? null];
  });
  assert.deepEqual(rows.slice(0, 6), [
    ['SET', 'OK', 'OK'],
    ['GET', 'OK', 'hello'],
    ['GET', 'OK', 'nil'],
    ['RPUSH', 'OK', '3'],
    ['LRANGE', 'OK', '[one, two, three]'],
    ['INCR', 'Error', 'ERR value is not an integer or out of range'],
  ]);
  assert.deepEqual(rows[6], ['SET', 'OK', 'OK']);
  const bigGet = mine[7]!;
  assert.equal(bigGet.fields['method'], 'GET');
  assert.ok((bigGet.fields['bytes_out'] as number) > 300_000);
  assert.ok(String((bigGet.fields['redis'] as Record<string, unknown>)['return_value']).length <= 4096 + 3);
  const auth = mine[8]!;
  assert.deepEqual([auth.fields['method'], auth.fields['status'], auth.fields['query']], ['AUTH', 'Error', 'AUTH ****']);
  assert.deepEqual(rows.slice(9, 12), [
    ['SET', 'OK', 'OK'],
    ['INCR', 'OK', '2'],
    ['GET', 'OK', '2'],
  ]);
  assert.deepEqual(rows[12]?.slice(0, 2), ['DEL', 'OK']);
  for (const e of events) assert.ok(!JSON.stringify(e.fields).includes(PASSWORD), 'the AUTH password leaked into an event');
  for (const e of mine) assert.ok((e.fields['responsetime'] as number) >= 0);
});

test('live: RESP3 (HELLO 3) and inline commands over a raw socket against the real Redis', { timeout: 30_000 }, async (t) => {
  const why = captureSkipReason() ?? ((await redisUp()) ? undefined : 'redis not reachable at 127.0.0.1:6379');
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const key = `pbkv:resp3:${process.pid}`;
  const resp = (...w: string[]): string => `*${w.length}\r\n` + w.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');
  const events = await sniffWhile({ redis: { ports: [6379] } }, 'tcp port 6379', async () => {
    const s = connect({ host: '127.0.0.1', port: 6379 });
    await new Promise((r) => s.once('connect', r));
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    const send = async (data: string, until: RegExp): Promise<void> => {
      got = '';
      s.write(data);
      const deadline = Date.now() + 5000;
      while (!until.test(got)) {
        if (Date.now() > deadline) throw new Error(`no reply to ${data}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await send(resp('HELLO', '3'), /proto\r\n:3\r\n[\s\S]*modules\r\n\*0\r\n$/);
    await send(resp('HSET', key, 'f1', 'v1', 'f2', 'v2'), /^:2\r\n$/);
    await send(resp('HGETALL', key), /^%2\r\n/);
    await send(resp('SADD', `${key}:s`, 'a'), /^:1\r\n$/);
    await send(resp('SMEMBERS', `${key}:s`), /^~1\r\n\$1\r\na\r\n$/);
    await send(resp('GET', `${key}:none`), /^_\r\n$/);
    await send(`EXISTS ${key}\r\n`, /^:1\r\n$/); // inline command
    await send(resp('DEL', key, `${key}:s`), /^:2\r\n$/);
    s.end();
  });
  const rows = events
    .filter((e) => String(e.fields['query']).includes(key) || e.fields['method'] === 'HELLO')
    .map((e) => {
      const r = e.fields['redis'] as Record<string, unknown>;
      return [e.fields['method'], r['reply_type'], r['return_value']];
    });
  assert.equal(rows[0]![0], 'HELLO');
  assert.equal(rows[0]![1], 'map');
  assert.match(String(rows[0]![2]), /^\{server: redis, version: 7/);
  assert.deepEqual(rows.slice(1), [
    ['HSET', 'integer', '2'],
    ['HGETALL', 'map', '{f1: v1, f2: v2}'],
    ['SADD', 'integer', '1'],
    ['SMEMBERS', 'set', '[a]'],
    ['GET', 'nil', 'nil'],
    ['EXISTS', 'integer', '1'],
    ['DEL', 'integer', '2'],
  ]);
});
