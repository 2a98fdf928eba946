import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startEsServer, type EsTestServer } from '../../support/es-server/server.js';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';
import { runCli } from '../../support/run-cli.js';

// One topbeat run shipping to Elasticsearch (test server), Logstash (lumberjack receiver), Redis (the local server,
// when reachable), a file and the console at once: each gets all three event types with the 1.0 field names.

const REDIS = { host: '127.0.0.1', port: 6379 };

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 1000 }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.on('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

const WANTED = ['system', 'process', 'filesystem'];
const typesOf = (docs: Record<string, unknown>[]) => new Set(docs.map((d) => d['type']));

describe('topbeat to every output', { skip: process.platform === 'linux' ? false : 'uses the Linux source' }, () => {
  let es: EsTestServer;
  let ls: LumberjackReceiver;
  let redis: Redis | undefined;
  const redisKey = `topbeat-test-${process.pid}-${Date.now()}`;
  before(async () => {
    es = await startEsServer({ version: '2.4.6' });
    ls = await LumberjackReceiver.start();
    if (await reachable(REDIS.host, REDIS.port)) redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  });
  after(async () => {
    await es?.close();
    await ls?.close();
    if (redis) {
      await redis.del(redisKey);
      redis.disconnect();
    }
  });

  it('Redis is reachable for the Redis part', (t) => {
    if (!redis) t.skip(`redis not reachable at ${REDIS.host}:${REDIS.port}: the run below ships to the other outputs only`);
  });

  it('Elasticsearch, Logstash, Redis, file and console get system, process and filesystem events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topbeat-outputs-'));
    const cfg = join(dir, 'topbeat.yml');
    writeFileSync(
      cfg,
      `input:\n  period: 1\n  procs: ["^node$", "^sh$"]\noutput:\n` +
        `  elasticsearch:\n    hosts: ["${es.url}"]\n    flush_interval: 0.05\n` +
        `  logstash:\n    hosts: ["127.0.0.1:${ls.port}"]\n` +
        `  file:\n    path: ${dir}/out\n` +
        (redis ? `  redis:\n    host: ${REDIS.host}\n    port: ${REDIS.port}\n    index: ${redisKey}\n` : '') +
        `  console: {}\n`,
    );
    const esDocs = (): Record<string, unknown>[] => [...es.indices.values()].flat().map((d) => d._source);
    const fileDocs = () =>
      existsSync(join(dir, 'out', 'topbeat'))
        ? readFileSync(join(dir, 'out', 'topbeat'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
        : [];
    const lsDocs = () => ls.events.map((e) => e.doc);
    let redisList: Record<string, unknown>[] = [];
    const poller = setInterval(() => {
      void redis?.lrange(redisKey, 0, -1).then((l) => (redisList = l.map((x) => JSON.parse(x) as Record<string, unknown>)), () => {});
    }, 200);
    const redisDocs = () => redisList;
    let stdout = '';
    const r = await runCli('bin/topbeat.js', ['-c', cfg], {
      timeoutMs: 25_000,
      onSpawn: (p) => {
        p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        const poll = setInterval(() => {
          const all = [esDocs(), lsDocs(), fileDocs(), ...(redis ? [redisDocs()] : [])];
          if (all.every((docs) => WANTED.every((t) => typesOf(docs).has(t)))) {
            clearInterval(poll);
            p.kill('SIGTERM');
          }
        }, 100);
        p.on('exit', () => clearInterval(poll));
      },
    });
    clearInterval(poller);
    assert.equal(r.code, 0, r.stderr);
    if (redis) redisList = (await redis.lrange(redisKey, 0, -1)).map((x) => JSON.parse(x) as Record<string, unknown>);
    const consoleDocs = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const outputs: [string, Record<string, unknown>[]][] = [['elasticsearch', esDocs()], ['logstash', lsDocs()], ['file', fileDocs()], ['console', consoleDocs]];
    if (redis) outputs.push(['redis', redisDocs()]);
    for (const [name, docs] of outputs) {
      for (const t of WANTED) assert.ok(typesOf(docs).has(t), `${name} got a ${t} event`);
      const proc = docs.find((d) => d['type'] === 'process')!['proc'] as Record<string, unknown>;
      assert.ok(['node', 'sh'].includes(proc['name'] as string), `${name}: procs filter applied`);
      assert.deepEqual(Object.keys(proc).sort(), ['cmdline', 'cpu', 'mem', 'name', 'pid', 'ppid', 'state', 'username']);
    }
    // ES 2.x: the document type is the event type, in daily topbeat-* indices.
    const sys = [...es.indices.entries()].find(([, ds]) => ds.some((d) => d._source['type'] === 'system'));
    assert.match(sys![0], /^topbeat-\d{4}\.\d\d\.\d\d$/);
    assert.ok(sys![1].some((d) => d._type === 'system'));
    assert.equal((lsDocs()[0]!['@metadata'] as Record<string, string>)['beat'], 'topbeat');
  });
});
