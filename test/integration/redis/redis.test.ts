import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { Registry } from '../../../src/libbeat/monitoring/registry.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { createRedisOutput } from '../../../src/libbeat/outputs/redis/index.js';
import type { OutputGroup } from '../../../src/libbeat/outputs/output.js';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';
import { outputConformance } from '../../support/output-conformance.js';
import { RecordingBatch } from '../../support/recording-batch.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { startPipeline, waitUntil } from '../../support/pipeline-harness.js';
import { OwnRedis, SHARED, haveRedisServer, reachable } from './servers.js';
import { makeTestCert } from '../../support/lumberjack/certs.js';
import { rmSync } from 'node:fs';

const CTX = { beat: { beat: 'testbeat', version: '0', name: 'h', hostname: 'h' }, log: nopLogger, metrics: new Registry() };
const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const signal = (): AbortSignal => AbortSignal.timeout(5000);
const sharedUp = await reachable(SHARED.host, SHARED.port);
const NO_SHARED = `redis not reachable at ${SHARED.host}:${SHARED.port}`;

async function output(raw: Record<string, unknown>): Promise<OutputGroup> {
  return createRedisOutput(new ConfigNode(raw, undefined, 'output.redis'), CTX);
}

async function listNs(r: Redis, key: string): Promise<number[]> {
  return (await r.lrange(key, 0, -1)).map((s) => Number((JSON.parse(s) as { n: number }).n));
}

describe('redis output against the real Redis', () => {
  let admin: Redis | undefined;
  const keys: string[] = [];
  const newKey = (): string => {
    const k = `beats-ts-test-${randomUUID()}`;
    keys.push(k);
    return k;
  };
  before(() => {
    if (sharedUp) admin = new Redis({ host: SHARED.host, port: SHARED.port });
  });
  after(async () => {
    if (admin) {
      if (keys.length > 0) await admin.del(...keys);
      await admin.quit();
    }
  });

  if (sharedUp) {
    outputConformance('redis list', async () => {
      const key = newKey();
      const out = await output({ host: SHARED.host, port: SHARED.port, index: key });
      return { client: out.clients[0]!, received: () => listNs(admin!, key), cleanup: async () => {} };
    });
    outputConformance('redis channel', async () => {
      const key = newKey();
      const sub = new Redis({ host: SHARED.host, port: SHARED.port });
      const got: number[] = [];
      sub.on('message', (_ch: string, msg: string) => got.push(Number((JSON.parse(msg) as { n: number }).n)));
      await sub.subscribe(key);
      const out = await output({ host: SHARED.host, port: SHARED.port, key, datatype: 'channel' });
      return {
        client: out.clients[0]!,
        received: async () => {
          await new Promise((r) => setTimeout(r, 50));
          return got;
        },
        cleanup: async () => void (await sub.quit()),
      };
    });
  } else {
    it('conformance', (t) => t.skip(NO_SHARED));
  }

  it('writes Beats documents, picks the key per event (%{[field]} formats, meta.index) and the db', async (t) => {
    if (!admin) return t.skip(NO_SHARED);
    const base = newKey();
    const out = await output({ hosts: [`${SHARED.host}:${SHARED.port}`], key: `${base}-%{[fields.app]}`, db: 3 });
    const c = out.clients[0]!;
    const db3 = new Redis({ host: SHARED.host, port: SHARED.port, db: 3 });
    try {
      await c.connect!(signal());
      const e1 = makeEvent(1, { fields: { app: 'web' }, message: 'héllo' });
      const e2 = makeEvent(2, { fields: { app: 'db' } });
      const e3 = makeEvent(3); // no fields.app: the beat name
      const e4: BeatEvent = { ...makeEvent(4), meta: { index: `${base}-meta` } };
      const b = new RecordingBatch([e1, e2, e3, e4]);
      await c.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      const web = await db3.lrange(`${base}-web`, 0, -1);
      assert.deepEqual(JSON.parse(web[0]!), { '@timestamp': e1.timestamp.toISOString(), type: 'test', n: 1, fields: { app: 'web' }, message: 'héllo' });
      assert.deepEqual(await listNs(db3, `${base}-db`), [2]);
      assert.deepEqual(await listNs(db3, `${base}-meta`), [4]);
      assert.ok((await listNs(db3, 'testbeat')).includes(3));
      assert.equal(await admin.exists(`${base}-web`), 0, 'not in db 0');
      assert.match(await c.test!(signal()), /PING: PONG/);
    } finally {
      await db3.del(`${base}-web`, `${base}-db`, `${base}-meta`);
      await db3.lrem('testbeat', 0, (await db3.lrange('testbeat', 0, -1)).find((s) => s.includes('"n":3')) ?? '');
      await db3.quit();
      await c.close();
    }
  });

  it('a key of the wrong type is a reply error: those events are retried, the others delivered', async (t) => {
    if (!admin) return t.skip(NO_SHARED);
    const good = newKey();
    const bad = newKey();
    await admin.set(bad, 'a string, not a list');
    const out = await output({ host: SHARED.host, key: '%{[k]}' });
    const c = out.clients[0]!;
    try {
      await c.connect!(signal());
      const b = new RecordingBatch([makeEvent(1, { k: good }), makeEvent(2, { k: bad }), makeEvent(3, { k: good })]);
      await c.publish(b);
      assert.deepEqual(b.signals, ['retryEvents']);
      assert.deepEqual(b.retried.map((e) => e.fields['n']), [2]);
      assert.deepEqual(await listNs(admin, good), [1, 3]);
      // All events for the one bad key (a plain RPUSH): the batch is retried, the connection stays usable.
      const all = new RecordingBatch([makeEvent(4, { k: bad }), makeEvent(5, { k: bad })]);
      await c.publish(all);
      assert.deepEqual(all.signals, ['retry']);
      const next = new RecordingBatch([makeEvent(6, { k: good })]);
      await c.publish(next);
      assert.deepEqual(next.signals, ['ack']);
      assert.deepEqual(await listNs(admin, good), [1, 3, 6]);
    } finally {
      await c.close();
    }
  });

  it('rejects a wrong password and connects with the right one', async (t) => {
    if (!haveRedisServer()) return t.skip('redis-server binary not found');
    const own = await OwnRedis.start(['--requirepass', 's3cret']);
    try {
      const bad = (await output({ host: '127.0.0.1', port: own.port, password: 'nope' })).clients[0]!;
      await assert.rejects(bad.connect!(signal()), /WRONGPASS|invalid password|NOAUTH/i);
      await bad.close();
      const ok = (await output({ host: '127.0.0.1', port: own.port, password: 's3cret', index: 'k' })).clients[0]!;
      await ok.connect!(signal());
      const b = new RecordingBatch([makeEvent(7)]);
      await ok.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      await ok.close();
    } finally {
      await own.stop();
    }
  });

  it('loses no event when its Redis is killed and restarted while shipping', async (t) => {
    if (!haveRedisServer()) return t.skip('redis-server binary not found');
    const own = await OwnRedis.start();
    const metrics = new Registry();
    const out = await createRedisOutput(
      new ConfigNode({ host: '127.0.0.1', port: own.port, index: 'restart', bulk_max_size: 100, reconnect_interval: '20ms', timeout: '2s' }, undefined, 'output.redis'),
      { ...CTX, metrics },
    );
    const { pipeline } = startPipeline({ redis: { ...out, backoff: { initMs: 20, maxMs: 100 }, flushIntervalMs: 0 } });
    let acked = 0;
    const N = 6000;
    try {
      const client = pipeline.connect({ guaranteed: true, onAck: (_p, n) => void (acked += n) });
      let restarted = false;
      for (let i = 0; i < N; i++) {
        const p = client.publish(makeEvent(i));
        if (p) await p;
        if (i === 2000) {
          await waitUntil(() => acked > 500, 5000, 'some events acknowledged before the kill');
          await own.kill();
          // Publishing goes on into the queue while Redis is down.
          setTimeout(() => void own.restart().then(() => (restarted = true)), 300);
        }
      }
      await client.flush();
      assert.ok(restarted);
      assert.equal(acked, N);
      const r = own.client();
      const got = new Set(await listNs(r, 'restart'));
      await r.quit();
      assert.equal(got.size, N, `distinct events in Redis: ${got.size} of ${N}`);
      assert.ok(metrics.snapshot()['libbeat.redis.published_and_acked_events']! >= N);
    } finally {
      await pipeline.close(1000);
      await own.stop();
    }
  });

  it('load-balances over several hosts and skips a dead one', async (t) => {
    if (!admin || !haveRedisServer()) return t.skip(!admin ? NO_SHARED : 'redis-server binary not found');
    const own = await OwnRedis.start();
    const dead = await OwnRedis.start();
    await dead.stop();
    const key = newKey();
    const out = await output({ hosts: [`127.0.0.1:${SHARED.port}`, `127.0.0.1:${own.port}`, `127.0.0.1:${dead.port}`], key, bulk_max_size: 25 });
    const { pipeline } = startPipeline({ redis: { ...out, backoff: { initMs: 20, maxMs: 50 }, flushIntervalMs: 0 } });
    try {
      const c = pipeline.connect({ guaranteed: true });
      for (let i = 0; i < 3000; i++) {
        const p = c.publish(makeEvent(i));
        if (p) await p;
      }
      await c.flush();
      const r = own.client();
      const a = await listNs(admin, key);
      const b = await listNs(r, key);
      await r.quit();
      assert.deepEqual([...new Set([...a, ...b])].sort((x, y) => x - y), range(0, 3000));
      assert.ok(a.length > 100 && b.length > 100, `both live hosts got a share (${a.length}, ${b.length})`);
    } finally {
      await pipeline.close(1000);
      await own.stop();
    }
  });
});

describe('redis output over TLS', () => {
  it('ships to a TLS-only redis-server that the configured CA vouches for, and refuses an unverified one', async (t) => {
    if (!haveRedisServer()) return t.skip('redis-server binary not found');
    const cert = makeTestCert();
    if (typeof cert === 'string') return t.skip(cert);
    let own: OwnRedis;
    try {
      own = await OwnRedis.startTls(cert.certPath, cert.keyPath);
    } catch (err) {
      return t.skip(`this redis-server has no TLS support: ${(err as Error).message}`);
    }
    try {
      const ok = (await output({ host: 'localhost', port: own.port, index: 'tls', tls: { certificate_authorities: [cert.certPath] } })).clients[0]!;
      assert.match(ok.name, /tls/);
      await ok.connect!(signal());
      const b = new RecordingBatch([makeEvent(1), makeEvent(2)]);
      await ok.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      await ok.close();
      const check = new Redis({ host: '127.0.0.1', port: own.port, tls: { ca: [cert.cert], servername: 'localhost' } });
      assert.deepEqual(await listNs(check, 'tls'), [1, 2]);
      await check.quit();
      const untrusted = (await output({ host: 'localhost', port: own.port, tls: {} })).clients[0]!;
      await assert.rejects(untrusted.connect!(signal()), /self.signed|certificate/i);
      await untrusted.close();
    } finally {
      await own.stop();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });
});
