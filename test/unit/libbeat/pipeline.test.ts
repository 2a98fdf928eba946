import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryClient, makeEvent, type Behaviour } from '../../support/in-memory-output.js';
import { group, startPipeline, waitUntil } from '../../support/pipeline-harness.js';
import { seededRandom } from '../../support/random.js';

describe('publish pipeline', () => {
  it('acknowledges every event exactly once and in publish order, whatever the outputs do (guaranteed)', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const rnd = seededRandom(seed);
      const pick = (): Behaviour => {
        const r = rnd();
        return r < 0.6 ? 'ack' : r < 0.7 ? 'retry' : r < 0.8 ? 'partial' : r < 0.9 ? 'throw' : 'cancel';
      };
      const clients = [0, 1, 2].map((i) => new InMemoryClient({ name: `c${i}`, behaviour: pick, delayMs: () => Math.floor(rnd() * 3) }));
      const { pipeline, metrics } = startPipeline({ mem: group(clients, { batchSize: 7, maxRetries: 0 }) }, { queueSize: 40 });
      const acked: unknown[] = [];
      const client = pipeline.connect({ guaranteed: true, onAck: (p) => acked.push(...p) });
      const N = 2000;
      for (let i = 0; i < N; i++) {
        const p = client.publish(makeEvent(i));
        if (p) await p;
      }
      await client.flush();
      assert.deepEqual(acked, Array.from({ length: N }, (_, i) => i), `seed ${seed}: acks in order, once each`);
      const delivered = new Set(clients.flatMap((c) => c.delivered.map((e) => e.private as number)));
      assert.equal(delivered.size, N, `seed ${seed}: every event delivered at least once`);
      assert.equal(metrics.counter('libbeat.output.mem.events.dropped').value, 0);
      assert.equal(await pipeline.close(1000), true);
    }
  });

  it('drops non-guaranteed events after max_retries and still acknowledges them in order', async () => {
    const c = new InMemoryClient({ behaviour: () => 'retry' });
    const { pipeline, metrics } = startPipeline({ mem: group([c], { batchSize: 10, maxRetries: 2 }) });
    let acked = 0;
    let dropped = 0;
    const order: unknown[] = [];
    const client = pipeline.connect({ onAck: (p, a, d) => ((acked += a), (dropped += d), order.push(...p)) });
    await client.publishAll(Array.from({ length: 25 }, (_, i) => makeEvent(i)));
    await client.flush();
    assert.equal(acked, 0);
    assert.equal(dropped, 25);
    assert.deepEqual(order, Array.from({ length: 25 }, (_, i) => i));
    assert.equal(c.calls, 3 * 3, 'three batches, each tried 1 + max_retries times');
    assert.equal(metrics.counter('libbeat.output.mem.events.dropped').value, 25);
    await pipeline.close(100);
  });

  it('keeps memory bounded when the output never answers: publish waits once the queue is full', async () => {
    const c = new InMemoryClient({ behaviour: () => 'hang' });
    const { pipeline } = startPipeline({ mem: group([c], { batchSize: 100 }) }, { queueSize: 1000 });
    const client = pipeline.connect({ guaranteed: true });
    let accepted = 0;
    let stuck = false;
    for (let i = 0; i < 100_000 && !stuck; i++) {
      const p = client.publish(makeEvent(i));
      if (p) {
        const timedOut = await Promise.race([p.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 50))]);
        if (timedOut) stuck = true;
        else accepted++;
      } else accepted++;
    }
    assert.ok(stuck, 'publish must end up waiting');
    // One batch in flight (100) plus a full queue (1000).
    assert.ok(accepted >= 1000 && accepted <= 1100, `accepted ${accepted} events with a queue of 1000`);
    assert.equal(await pipeline.close(20), false, 'close reports the timeout');
  });

  it('drops and counts instead of waiting for dropOnFull clients', async () => {
    const c = new InMemoryClient({ behaviour: () => 'hang' });
    const { pipeline, metrics } = startPipeline({ mem: group([c], { batchSize: 10 }) }, { queueSize: 20 });
    const client = pipeline.connect({ dropOnFull: true });
    for (let i = 0; i < 500; i++) assert.equal(client.publish(makeEvent(i)), undefined);
    const dropped = metrics.counter('libbeat.pipeline.events.dropped_queue_full').value;
    assert.ok(dropped >= 500 - 20 - 10 && dropped < 500, `dropped ${dropped}`);
    await pipeline.close(10);
  });

  it('sends every event to every output and acknowledges only after all of them', async () => {
    const fast = new InMemoryClient({ name: 'fast' });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const slow = new InMemoryClient({ name: 'slow' });
    const slowPublish = slow.publish.bind(slow);
    slow.publish = async (b) => {
      await gate;
      return slowPublish(b);
    };
    const { pipeline } = startPipeline({ a: group([fast]), b: group([slow]) });
    const acked: unknown[] = [];
    const client = pipeline.connect({ onAck: (p) => acked.push(...p) });
    await client.publishAll([makeEvent(1), makeEvent(2)]);
    await waitUntil(() => fast.delivered.length === 2);
    assert.equal(acked.length, 0, 'not acknowledged while one output is pending');
    release();
    await client.flush();
    assert.deepEqual(acked, [1, 2]);
    assert.equal(slow.delivered.length, 2);
    await pipeline.close(100);
  });

  it('fails over to the next host when connecting fails, in failover mode', async () => {
    const a = new InMemoryClient({ name: 'a', failConnects: 1000 });
    const b = new InMemoryClient({ name: 'b' });
    const { pipeline } = startPipeline({ mem: group([a, b], { loadbalance: false }) });
    const client = pipeline.connect({ guaranteed: true });
    await client.publishSync(Array.from({ length: 30 }, (_, i) => makeEvent(i)));
    assert.equal(b.delivered.length, 30);
    assert.equal(a.delivered.length, 0);
    assert.ok(a.connects >= 1);
    await pipeline.close(100);
  });

  it('spreads batches over every client in load-balancing mode', async () => {
    const clients = [0, 1, 2].map((i) => new InMemoryClient({ name: `c${i}`, delayMs: () => 2 }));
    const { pipeline } = startPipeline({ mem: group(clients, { batchSize: 10 }) });
    const client = pipeline.connect();
    await client.publishSync(Array.from({ length: 300 }, (_, i) => makeEvent(i)));
    for (const c of clients) assert.ok(c.delivered.length > 0, `${c.name} got batches`);
    assert.equal(clients.reduce((s, c) => s + c.delivered.length, 0), 300);
    await pipeline.close(100);
  });

  it('holds a partial batch until flush_interval, then sends it', async () => {
    const c = new InMemoryClient();
    const { pipeline } = startPipeline({ mem: group([c], { batchSize: 100, flushIntervalMs: 80 }) });
    const client = pipeline.connect();
    const t0 = Date.now();
    await client.publishSync([makeEvent(1), makeEvent(2), makeEvent(3)]);
    const waited = Date.now() - t0;
    assert.ok(waited >= 70, `waited ${waited} ms for the flush interval`);
    assert.equal(c.calls, 1, 'one batch of three');
    await pipeline.close(100);
  });

  it('acknowledges at once with publishing disabled (-N) and adds beat fields, count and tags', async () => {
    const { pipeline } = startPipeline({}, { tags: ['web', 'eu'] });
    const events = [makeEvent(1, { tags: ['x'] }), makeEvent(2)];
    const client = pipeline.connect();
    await client.publishSync(events);
    assert.equal(client.pending, 0);
    assert.deepEqual(events[0]!.fields['beat'], { name: 'test-host', hostname: 'test-host' });
    assert.equal(events[0]!.fields['count'], 1);
    assert.deepEqual(events[0]!.fields['tags'], ['x', 'web', 'eu']);
    assert.deepEqual(events[1]!.fields['tags'], ['web', 'eu']);
    await pipeline.close(10);
  });

  it('acknowledges events removed by processors in order with the rest', async () => {
    const c = new InMemoryClient();
    const { pipeline } = startPipeline(
      { mem: group([c]) },
      { processor: (e) => ((e.fields['n'] as number) % 2 === 0 ? null : e) },
    );
    const acked: unknown[] = [];
    const client = pipeline.connect({ onAck: (p) => acked.push(...p) });
    await client.publishSync(Array.from({ length: 10 }, (_, i) => makeEvent(i)));
    assert.deepEqual(acked, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(c.delivered.map((e) => e.fields['n']), [1, 3, 5, 7, 9]);
    await pipeline.close(100);
  });
});
