// The test receiver against lumberjack clients we did not write (npm: lumberjack-client for v2 with compressed
// JSON frames, lumberjack-protocol for v1 data frames over TLS with ACKs), so the receiver the output is tested
// against agrees with other implementations of the protocol.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';
import { makeTestCert } from '../../support/lumberjack/certs.js';
import { waitUntil } from '../../support/pipeline-harness.js';

const require = createRequire(import.meta.url);

interface V2Client {
  log(doc: Record<string, unknown>): void;
  socket?: Socket;
  connecting?: boolean;
  connected?: boolean;
}
type V2ClientCtor = new (cfg: { host: string; port: number }, useTls?: boolean) => V2Client;

interface V1Client {
  writeDataFrame(data: Record<string, string | number>): void;
  close(): void;
  on(ev: 'connect' | 'disconnect' | 'dropped', cb: (arg?: unknown) => void): void;
}
interface V1Module {
  client(tlsOpts: Record<string, unknown>, opts: Record<string, unknown>): V1Client;
}

function load<T>(name: string): T | string {
  try {
    return require(name) as T;
  } catch (err) {
    return `${name} is not installed (npm install --save-dev ${name}): ${(err as Error).message}`;
  }
}

/** lumberjack-client reconnects forever; this is how it is told to stop. */
function stopV2(c: V2Client): void {
  c.connecting = true;
  c.socket?.destroy();
}

describe('lumberjack receiver interoperability', () => {
  it('reads compressed v2 JSON windows from the lumberjack-client package', async (t) => {
    const Ctor = load<V2ClientCtor>('lumberjack-client');
    if (typeof Ctor === 'string') return t.skip(Ctor);
    const rx = await LumberjackReceiver.start();
    const client = new Ctor({ host: '127.0.0.1', port: rx.port });
    try {
      // Logged before the connection is up: queued and flushed as one window.
      for (let i = 0; i < 5; i++) client.log({ n: i, message: `queued ${i}`, '@timestamp': new Date().toISOString() });
      await waitUntil(() => client.connected === true, 5000, 'lumberjack-client to connect');
      for (let i = 5; i < 25; i++) client.log({ n: i, message: `live ${i} ü€` });
      await waitUntil(() => rx.events.length >= 25, 5000, '25 events at the receiver');
      assert.deepEqual(rx.ns(), Array.from({ length: 25 }, (_, i) => i));
      assert.equal(rx.events[24]!.doc['message'], 'live 24 ü€');
      assert.ok(rx.events.every((e) => e.version === 2));
      // Every window was acknowledged with its last sequence number.
      await waitUntil(() => rx.acks.length === rx.windows.length, 2000, 'ACKs for every window');
      assert.deepEqual(rx.errors, []);
    } finally {
      stopV2(client);
      await rx.close();
    }
  });

  it('reads v1 data frames over TLS from the lumberjack-protocol package and acknowledges them', async (t) => {
    const mod = load<V1Module>('lumberjack-protocol');
    if (typeof mod === 'string') return t.skip(mod);
    const cert = makeTestCert();
    if (typeof cert === 'string') return t.skip(cert);
    const rx = await LumberjackReceiver.start({ tls: { key: cert.key, cert: cert.cert } });
    // windowSize 10: 35 lines = 3 complete windows (acknowledged) and 5 lines of a 4th.
    const client = mod.client(
      { host: '127.0.0.1', port: rx.port, ca: [cert.cert], servername: 'localhost' },
      { windowSize: 10, unref: true, reconnect: 100 },
    );
    let dropped = 0;
    client.on('dropped', (n) => void (dropped = Number(n)));
    try {
      for (let i = 0; i < 35; i++) client.writeDataFrame({ line: `line ${i}`, host: 'h', n: i, file: '/var/log/x.log' });
      await waitUntil(() => rx.events.length >= 35, 5000, '35 events at the receiver');
      assert.deepEqual(rx.ns(), Array.from({ length: 35 }, (_, i) => i));
      const first = rx.events[0]!;
      assert.equal(first.version, 1);
      assert.deepEqual(first.doc, { line: 'line 0', host: 'h', n: '0', file: '/var/log/x.log' });
      // v1 sequence numbers keep counting across windows; each completed window is acknowledged at its last one.
      assert.deepEqual(rx.events.map((e) => e.seq), Array.from({ length: 35 }, (_, i) => i + 1));
      await waitUntil(() => rx.acks.length === 3, 2000, '3 ACKs');
      assert.deepEqual(rx.acks.map((a) => a.seq), [10, 20, 30]);
      assert.equal(dropped, 0);
      assert.deepEqual(rx.errors, []);
    } finally {
      client.close();
      await rx.close();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });
});
