import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { outputConformance } from '../../support/output-conformance.js';
import { RecordingBatch } from '../../support/recording-batch.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { startEsServer, type EsTestServer } from '../../support/es-server/server.js';
import { esOutput, memoryLogger } from './helpers.js';
import type { OutputClient } from '../../../src/libbeat/outputs/output.js';

const sig = () => AbortSignal.timeout(5000);

async function clientFor(server: EsTestServer, extra: Record<string, unknown> = {}, log = memoryLogger()) {
  const { group, metrics } = await esOutput({ hosts: [server.url], template: { enabled: false }, ...extra }, { log: log.log });
  return { client: group.clients[0]!, group, metrics, lines: log.lines };
}

const ns = (server: EsTestServer, pattern = '*') => server.docs(pattern).map((d) => d._source['n'] as number);

describe('elasticsearch client', () => {
  outputConformance('elasticsearch (8.x test server)', async () => {
    const server = await startEsServer({ version: '8.11.1' });
    const { client } = await clientFor(server);
    return { client, received: async () => ns(server), cleanup: () => server.close() };
  });

  outputConformance('elasticsearch (5.x test server)', async () => {
    const server = await startEsServer({ version: '5.6.16' });
    const { client } = await clientFor(server);
    return { client, received: async () => ns(server), cleanup: () => server.close() };
  });

  const servers: EsTestServer[] = [];
  const clients: OutputClient[] = [];
  const start = async (...a: Parameters<typeof startEsServer>) => {
    const s = await startEsServer(...a);
    servers.push(s);
    return s;
  };
  after(async () => {
    for (const c of clients) await c.close();
    for (const s of servers) await s.close();
  });

  it('sends daily indices with _type by cluster version', async () => {
    for (const [version, type] of [['1.7.5', 'test'], ['2.4.6', 'test'], ['5.6.16', 'test'], ['6.8.23', 'doc'], ['7.17.0', undefined], ['8.11.1', undefined], ['9.0.0', undefined]] as const) {
      const server = await start({ version });
      const { client } = await clientFor(server);
      clients.push(client);
      await client.connect!(sig());
      const b = new RecordingBatch([makeEvent(1), { ...makeEvent(2), timestamp: new Date('2026-11-26T00:00:01Z') }]);
      await client.publish(b);
      assert.deepEqual(b.signals, ['ack'], version);
      assert.deepEqual([...server.indices.keys()].sort(), ['testbeat-2026.11.25', 'testbeat-2026.11.26'], version);
      for (const d of server.docs()) assert.equal(d._type, type, version);
      const ct = server.requests.find((r) => r.path.startsWith('/_bulk'))!.headers['content-type'];
      assert.equal(ct, version.startsWith('1.') || version.startsWith('2.') ? 'application/json' : 'application/x-ndjson');
      assert.equal(server.stats.typeRejected, 0);
    }
  });

  it('retries only the items that got 429, drops mapping errors and counts them', async () => {
    const server = await start({ faults: { every429: 4, mappingErrors: { n: 'long' } } });
    const { client, metrics, lines } = await clientFor(server);
    clients.push(client);
    await client.connect!(sig());
    const events = Array.from({ length: 10 }, (_, i) => (i === 5 ? makeEvent(i, { n: 'five' }) : makeEvent(i)));
    const b = new RecordingBatch(events);
    await client.publish(b);
    assert.deepEqual(b.signals, ['retryEvents']);
    // Items 4 and 8 (1-based) got 429: events 3 and 7. Event 5 was rejected by the mapping.
    assert.deepEqual(b.retried.map((e) => e.private), [3, 7]);
    assert.deepEqual(ns(server).sort((a, c) => a - c), [0, 1, 2, 4, 6, 8, 9]);
    const snap = metrics.snapshot();
    assert.equal(snap['libbeat.es.dropped_events'], 1);
    assert.equal(snap['libbeat.es.published_but_not_acked_events'], 2);
    assert.equal(snap['libbeat.es.published_and_acked_events'], 7);
    assert.equal(lines.filter((l) => l.includes('will not index')).length, 1);
    assert.match(lines.find((l) => l.includes('will not index'))!, /1 of 10 events.*mapper_parsing_exception: failed to parse field \[n\] of type \[long\]/);
    // The 12th item would be the next 429: send the retried ones with the fault off.
    server.faults.every429 = 0;
    const again = new RecordingBatch([...b.retried], 1);
    await client.publish(again);
    assert.deepEqual(again.signals, ['ack']);
    assert.deepEqual(ns(server).sort((a, c) => a - c), [0, 1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it('retries the whole batch on 503 and acks once the cluster recovers', async () => {
    const server = await start({ faults: { fail503First: 2 } });
    const { client } = await clientFor(server);
    clients.push(client);
    await client.connect!(sig());
    const events = [makeEvent(1), makeEvent(2)];
    for (const expected of ['retry', 'retry', 'ack']) {
      const b = new RecordingBatch(events);
      await client.publish(b);
      assert.deepEqual(b.signals, [expected]);
    }
    assert.deepEqual(ns(server), [1, 2]);
    assert.equal(server.stats.answered503, 2);
  });

  it('drops a batch whose every item is rejected, without retrying', async () => {
    const server = await start({ faults: { mappingErrors: { n: 'boolean' } } });
    const { client, metrics } = await clientFor(server);
    clients.push(client);
    await client.connect!(sig());
    const b = new RecordingBatch([makeEvent(1), makeEvent(2)]);
    await client.publish(b);
    assert.deepEqual(b.signals, ['ack']);
    assert.equal(metrics.snapshot()['libbeat.es.dropped_events'], 2);
    assert.equal(server.docs().length, 0);
  });

  it('throws on a dropped connection and on a timeout, and works after reconnecting', async () => {
    const server = await start({ faults: { dropFirst: 1 } });
    const { client } = await clientFor(server, { timeout: '300ms' });
    clients.push(client);
    await client.connect!(sig());
    await assert.rejects(client.publish(new RecordingBatch([makeEvent(1)])), /POST .*\/_bulk/);
    await client.close();
    server.faults.delayMs = 1000;
    await client.connect!(sig());
    await assert.rejects(client.publish(new RecordingBatch([makeEvent(1)])), /timed out after 300 ms/);
    await client.close();
    server.faults.delayMs = 0;
    await client.connect!(sig());
    const b = new RecordingBatch([makeEvent(1)]);
    await client.publish(b);
    assert.deepEqual(b.signals, ['ack']);
  });

  it('fails to connect to a dead host or something that is not Elasticsearch, naming the reason', async () => {
    const server = await start();
    const url = server.url;
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    const { group } = await esOutput({ hosts: [url], template: { enabled: false } });
    await assert.rejects(group.clients[0]!.connect!(sig()), /ECONNREFUSED/);
    await assert.rejects(group.clients[0]!.test!(sig()), /ECONNREFUSED/);
    await group.clients[0]!.close();
    const ok = await start({ version: '7.10.2' });
    const { client } = await clientFor(ok);
    assert.equal(await client.test!(sig()), 'Elasticsearch 7.10.2, cluster es-test');
  });

  it('splits a batch on 413 until it fits, dropping a single event that never can', async () => {
    const server = await start({ faults: { maxContentLength: 1200 } });
    const { client, metrics, lines } = await clientFor(server);
    clients.push(client);
    await client.connect!(sig());
    const events = Array.from({ length: 16 }, (_, i) => makeEvent(i, i === 9 ? { big: 'x'.repeat(2000) } : {}));
    const b = new RecordingBatch(events);
    await client.publish(b);
    assert.deepEqual(b.signals, ['ack']);
    assert.deepEqual(ns(server).sort((a, c) => a - c), [0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15]);
    assert.equal(metrics.snapshot()['libbeat.es.dropped_events'], 1);
    assert.match(lines.find((l) => l.includes('will not index'))!, /1 of 16 events.*status 413/);
  });

  it('makes one client per worker per host', async () => {
    const a = await start();
    const b = await start();
    const { group } = await esOutput({ hosts: [a.url, b.url], worker: 2, template: { enabled: false } });
    assert.deepEqual(group.clients.map((c) => c.name), [`elasticsearch(${a.url})`, `elasticsearch(${a.url})`, `elasticsearch(${b.url})`, `elasticsearch(${b.url})`]);
    assert.equal(group.loadbalance, true);
  });
});
