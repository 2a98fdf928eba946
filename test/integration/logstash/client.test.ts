import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';
import { clientFor } from '../../support/lumberjack/logstash-client.js';
import { makeTestCert } from '../../support/lumberjack/certs.js';
import { outputConformance } from '../../support/output-conformance.js';
import { RecordingBatch } from '../../support/recording-batch.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { group, startPipeline, waitUntil } from '../../support/pipeline-harness.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { Registry } from '../../../src/libbeat/monitoring/registry.js';
import { nopLogger } from '../../../src/libbeat/logp/logger.js';
import { createLogstashOutput } from '../../../src/libbeat/outputs/logstash/index.js';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';

const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);
const events = (from: number, n: number): BeatEvent[] => range(from, n).map((i) => makeEvent(i));
const signal = (): AbortSignal => AbortSignal.timeout(5000);

describe('logstash output against the lumberjack receiver', () => {
  for (const level of [0, 3]) {
    outputConformance(`logstash compression_level ${level}`, async () => {
      const rx = await LumberjackReceiver.start();
      return { client: clientFor(rx, { compressionLevel: level }), received: async () => rx.ns(), cleanup: () => rx.close() };
    });
  }

  it('sends @metadata.beat (index, or the event\'s own) and @metadata.type with the event', async () => {
    const rx = await LumberjackReceiver.start();
    const c = clientFor(rx, { index: 'myindex' });
    try {
      await c.connect(signal());
      const e1 = makeEvent(1, { message: 'hello ü' });
      const e2: BeatEvent = { ...makeEvent(2, { type: 'nginx' }), meta: { index: 'other' } };
      const b = new RecordingBatch([e1, e2]);
      await c.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      assert.deepEqual(rx.events[0]!.doc, {
        '@timestamp': e1.timestamp.toISOString(),
        type: 'test',
        n: 1,
        message: 'hello ü',
        '@metadata': { beat: 'myindex', type: 'test' },
      });
      assert.deepEqual(rx.events[1]!.doc['@metadata'], { beat: 'other', type: 'nginx' });
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('grows the window on timely ACKs, halves it when ACKs are late, and grows it back', async () => {
    // Congestion on demand: the receiver holds the ACK of a window until the client has given up on it (its window
    // shrank), so the ACK is late whatever the machine's speed. ACKs leave in order, as Logstash sends them.
    const holds = new Map<number, () => boolean>();
    const rx = await LumberjackReceiver.start({
      faults: {
        holdAck: (w) => {
          const until = holds.get(w.window);
          return until ? waitUntil(until, 10_000, `window ${w.window} to time out`) : undefined;
        },
      },
    });
    const c = clientFor(rx, { bulkMaxSize: 40, timeoutMs: 300 });
    try {
      await c.connect(signal());
      let n = 0;
      const send = async (count: number): Promise<void> => {
        const b = new RecordingBatch(events(n, count));
        n += count;
        await c.publish(b);
        assert.deepEqual(b.signals, ['ack']);
      };
      for (let i = 0; i < 5; i++) await send(40);
      assert.deepEqual(c.window.history, [10, 15, 23, 35, 40]);
      // A batch is cut into windows of the current size: 10 + 15 + 15, then 23 + 17, …
      assert.deepEqual(rx.windows.map((w) => w.size).slice(0, 5), [10, 15, 15, 23, 17]);
      // Two windows in a row are acknowledged only after their timeout: 40 -> 20 -> 10; the third (10) in time.
      const w0 = rx.windows.length;
      holds.set(w0, () => c.window.size <= 20).set(w0 + 1, () => c.window.size <= 10);
      await send(40);
      assert.deepEqual(rx.windows.slice(w0, w0 + 3).map((w) => w.size), [40, 20, 10]);
      assert.equal(Math.min(...c.window.history.slice(5)), 10, `history ${c.window.history.join(',')}`);
      // Congestion over: back up to bulk_max_size in steps of one half.
      for (let i = 0; i < 6; i++) await send(40);
      assert.equal(c.window.size, 40);
      const h = c.window.history;
      assert.deepEqual(h.slice(h.lastIndexOf(10)), [10, 15, 23, 35, 40], `window history ${h.join(',')}`);
      assert.equal(rx.windows[rx.windows.length - 1]!.size, 40);
      // At least once: every event arrived (the late windows' events arrived twice).
      assert.deepEqual(rx.distinctNs(), range(0, n));
      await waitUntil(() => rx.acks.length === rx.windows.length, 2000, 'late ACKs');
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('treats partial ACKs as progress: a slow but steady receiver causes no timeout', async () => {
    // Every 2 events a partial ACK; each one 120 ms after the previous, the last one 600 ms after the window:
    // longer than the 400 ms timeout, but never 400 ms without news.
    const rx = await LumberjackReceiver.start({
      faults: { partialAckEvery: () => 2, ackDelayMs: (_w, seq) => seq * 60 },
    });
    const c = clientFor(rx, { timeoutMs: 400, startWindow: 10 });
    try {
      await c.connect(signal());
      const b = new RecordingBatch(events(0, 10));
      const t0 = Date.now();
      await c.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      assert.ok(Date.now() - t0 >= 550, 'waited for the final ACK');
      assert.deepEqual(rx.acks.map((a) => a.seq), [2, 4, 6, 8, 10]);
      assert.deepEqual(c.window.history, [10, 15]);
      assert.deepEqual(rx.ns(), range(0, 10));
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('on a connection closed mid-window, gives back only the unacknowledged events and throws', async () => {
    // Partial ACK after 4 events, connection closed after 6.
    const rx = await LumberjackReceiver.start({ faults: { partialAckEvery: () => 4, closeAfter: (w) => (w.window === 0 ? 6 : undefined) } });
    const c = clientFor(rx);
    try {
      await c.connect(signal());
      const b = new RecordingBatch(events(0, 10));
      await assert.rejects(c.publish(b), /closed|reset|ECONNRESET|EPIPE/);
      assert.deepEqual(b.signals, ['retryEvents']);
      assert.deepEqual(b.retried.map((e) => e.fields['n']), range(4, 6));
      // The pipeline closes and reconnects; publish before reconnecting cancels without sending.
      const early = new RecordingBatch(events(4, 6));
      await assert.rejects(c.publish(early), /closed|not connected/);
      assert.deepEqual(early.signals, ['cancelled']);
      await c.connect(signal());
      const again = new RecordingBatch(events(4, 6));
      await c.publish(again);
      assert.deepEqual(again.signals, ['ack']);
      assert.deepEqual(rx.distinctNs(), range(0, 10));
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('reconnects after 3 ACK timeouts in a row', async () => {
    const rx = await LumberjackReceiver.start({ faults: { ackOnly: (w) => (w.conn === 0 ? 0 : undefined) } });
    const c = clientFor(rx, { timeoutMs: 150 });
    try {
      await c.connect(signal());
      const b = new RecordingBatch(events(0, 10));
      await assert.rejects(c.publish(b), /no ACK .* for 3 windows in a row/);
      assert.deepEqual(b.signals, ['retry']);
      assert.deepEqual(rx.windows.map((w) => w.size), [10, 5, 2]);
      await c.connect(signal());
      const again = new RecordingBatch(events(0, 10));
      await c.publish(again);
      assert.deepEqual(again.signals, ['ack']);
      assert.equal(rx.connections, 2);
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('reopens a connection the receiver closed while idle, without failing the batch', async () => {
    const rx = await LumberjackReceiver.start();
    const c = clientFor(rx);
    try {
      await c.connect(signal());
      const b1 = new RecordingBatch(events(0, 5));
      await c.publish(b1);
      rx.dropConnections();
      await new Promise((r) => setTimeout(r, 50));
      const b2 = new RecordingBatch(events(5, 5));
      await c.publish(b2);
      assert.deepEqual(b2.signals, ['ack']);
      assert.equal(rx.connections, 2);
      assert.deepEqual(rx.ns(), range(0, 10));
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('replaces a connection older than ttl between batches', async () => {
    const rx = await LumberjackReceiver.start();
    const c = clientFor(rx, { ttlMs: 1000 });
    try {
      await c.connect(signal());
      for (let k = 0; k < 2; k++) {
        const b = new RecordingBatch(events(k * 5, 5));
        await c.publish(b);
        assert.deepEqual(b.signals, ['ack']);
      }
      assert.equal(rx.connections, 1, 'young connection kept');
      await new Promise((r) => setTimeout(r, 1100));
      const b = new RecordingBatch(events(10, 5));
      await c.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      assert.equal(rx.connections, 2, 'expired connection replaced');
      assert.deepEqual(rx.ns(), range(0, 15));
    } finally {
      await c.close();
      await rx.close();
    }
  });

  it('ships over TLS and refuses a server it cannot verify', async (t) => {
    const cert = makeTestCert();
    if (typeof cert === 'string') return t.skip(cert);
    const rx = await LumberjackReceiver.start({ tls: { key: cert.key, cert: cert.cert } });
    const ok = clientFor(rx, { tls: { ca: [cert.cert], rejectUnauthorized: true, servername: 'localhost' } });
    const untrusted = clientFor(rx, { tls: { rejectUnauthorized: true } });
    try {
      assert.match(await ok.test(signal()), /TLS handshake ok/);
      await ok.connect(signal());
      const b = new RecordingBatch(events(0, 50));
      await ok.publish(b);
      assert.deepEqual(b.signals, ['ack']);
      assert.deepEqual(rx.ns(), range(0, 50));
      await assert.rejects(untrusted.connect(signal()), /self.signed|certificate/i);
    } finally {
      await ok.close();
      await untrusted.close();
      await rx.close();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });

  it('through the pipeline: every event arrives although the receiver drops connections mid-window', async () => {
    const rx = await LumberjackReceiver.start({
      faults: { closeAfter: (w) => (w.window % 7 === 3 ? Math.max(1, Math.floor(w.size / 2)) : undefined) },
    });
    const metrics = new Registry();
    const out = await createLogstashOutput(
      new ConfigNode({ hosts: [rx.address], bulk_max_size: 200, timeout: '2s' }, undefined, 'output.logstash'),
      { beat: { beat: 'testbeat', version: '0', name: 'h', hostname: 'h' }, log: nopLogger, metrics },
    );
    const { pipeline } = startPipeline({ logstash: { ...out, backoff: { initMs: 5, maxMs: 20 }, flushIntervalMs: 0 } });
    try {
      let acked = 0;
      const client = pipeline.connect({ guaranteed: true, onAck: (_p, n) => void (acked += n) });
      for (let i = 0; i < 3000; i++) {
        const p = client.publish(makeEvent(i));
        if (p) await p;
      }
      await client.flush();
      assert.equal(acked, 3000);
      assert.deepEqual(rx.distinctNs(), range(0, 3000));
      assert.ok(rx.connections >= 3, `reconnected (${rx.connections} connections)`);
      assert.ok(metrics.snapshot()['libbeat.logstash.reconnects']! >= 2);
    } finally {
      await pipeline.close(1000);
      await rx.close();
    }
  });

  it('fails over to the next host when one is down, and load-balances over live ones', async () => {
    const dead = await LumberjackReceiver.start();
    const deadAddr = dead.address;
    await dead.close();
    const a = await LumberjackReceiver.start();
    const b = await LumberjackReceiver.start();
    const ctx = { beat: { beat: 'testbeat', version: '0', name: 'h', hostname: 'h' }, log: nopLogger, metrics: new Registry() };
    try {
      const fo = await createLogstashOutput(new ConfigNode({ hosts: [deadAddr, a.address], bulk_max_size: 50 }, undefined, 'output.logstash'), ctx);
      assert.equal(fo.loadbalance, false);
      const p1 = startPipeline({ ls: { ...fo, backoff: { initMs: 5, maxMs: 10 } } });
      const c1 = p1.pipeline.connect({ guaranteed: true });
      for (let i = 0; i < 500; i++) await c1.publish(makeEvent(i));
      await c1.flush();
      await p1.pipeline.close(1000);
      assert.deepEqual(a.distinctNs(), range(0, 500));

      const lb = await createLogstashOutput(
        new ConfigNode({ hosts: [a.address, b.address], loadbalance: true, bulk_max_size: 20, worker: 2 }, undefined, 'output.logstash'),
        ctx,
      );
      assert.equal(lb.clients.length, 8); // 2 hosts × 2 workers × pipelining 2
      const p2 = startPipeline({ ls: group(lb.clients, { batchSize: 20 }) });
      const c2 = p2.pipeline.connect({ guaranteed: true });
      for (let i = 500; i < 2500; i++) await c2.publish(makeEvent(i));
      await c2.flush();
      await p2.pipeline.close(1000);
      const both = [...a.distinctNs(), ...b.distinctNs()].filter((n) => n >= 500);
      assert.deepEqual([...new Set(both)].sort((x, y) => x - y), range(500, 2000));
      assert.ok(b.events.length > 100, `second host got a share (${b.events.length})`);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
