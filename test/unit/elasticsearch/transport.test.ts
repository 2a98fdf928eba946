import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordingBatch } from '../../support/recording-batch.js';
import { makeEvent } from '../../support/in-memory-output.js';
import { startEsServer, type EsTestServer } from '../../support/es-server/server.js';
import { esOutput } from './helpers.js';
import type { OutputClient } from '../../../src/libbeat/outputs/output.js';

const sig = () => AbortSignal.timeout(5000);

describe('elasticsearch transport options', () => {
  const servers: EsTestServer[] = [];
  const clients: OutputClient[] = [];
  const others: Server[] = [];
  after(async () => {
    for (const c of clients) await c.close();
    for (const s of servers) await s.close();
    for (const o of others) {
      o.closeAllConnections();
      await new Promise((r) => o.close(r));
    }
  });
  const start = async (...a: Parameters<typeof startEsServer>) => {
    const s = await startEsServer(...a);
    servers.push(s);
    return s;
  };
  const send = async (cfg: Record<string, unknown>, events = [makeEvent(1), makeEvent(2)]) => {
    const { group } = await esOutput({ template: { enabled: false }, ...cfg });
    const c = group.clients[0]!;
    clients.push(c);
    await c.connect!(sig());
    const b = new RecordingBatch(events);
    await c.publish(b);
    return { client: c, batch: b };
  };

  it('gzips bulk bodies at compression_level', async () => {
    const s = await start();
    const events = Array.from({ length: 200 }, (_, i) => makeEvent(i, { message: 'the same text compresses well '.repeat(4) }));
    const { batch } = await send({ hosts: [s.url], compression_level: 5 }, events);
    assert.deepEqual(batch.signals, ['ack']);
    const bulk = s.requests.find((r) => r.path.startsWith('/_bulk'))!;
    assert.equal(bulk.headers['content-encoding'], 'gzip');
    assert.equal(s.docs().length, 200);
    const plain = await start();
    await send({ hosts: [plain.url] }, events);
    const plainBulk = plain.requests.find((r) => r.path.startsWith('/_bulk'))!;
    assert.equal(plainBulk.headers['content-encoding'], undefined);
    assert.ok(bulk.bytes * 5 < plainBulk.bytes, `gzip ${bulk.bytes} vs plain ${plainBulk.bytes}`);
  });

  it('sends headers, the ingest pipeline and basic auth; refuses bad credentials with a clear reason', async () => {
    const s = await start({ auth: { username: 'beats', password: 's3cret' } });
    const { batch } = await send({ hosts: [s.url], username: 'beats', password: 's3cret', headers: { 'X-Tenant': 'blue' }, pipeline: 'geoip' });
    assert.deepEqual(batch.signals, ['ack']);
    assert.ok(s.requests.every((r) => r.headers['x-tenant'] === 'blue'));
    assert.deepEqual(s.docs().map((d) => d.pipeline), ['geoip', 'geoip']);
    const { group } = await esOutput({ hosts: [s.url], username: 'beats', password: 'wrong', template: { enabled: false } });
    clients.push(group.clients[0]!);
    await assert.rejects(group.clients[0]!.connect!(sig()), /refused the credentials \(HTTP 401\); check username and password/);
  });

  it('serves below a path prefix with `path` or a URL path', async () => {
    const s = await start({ pathPrefix: '/es' });
    const r1 = await send({ hosts: [`127.0.0.1:${s.port}`], path: 'es' });
    assert.deepEqual(r1.batch.signals, ['ack']);
    const r2 = await send({ hosts: [`http://127.0.0.1:${s.port}/es/`] });
    assert.deepEqual(r2.batch.signals, ['ack']);
    assert.equal(s.docs().length, 4);
    const { group } = await esOutput({ hosts: [`127.0.0.1:${s.port}`], template: { enabled: false } });
    clients.push(group.clients[0]!);
    await assert.rejects(group.clients[0]!.connect!(sig()), /answered HTTP 404/);
  });

  it('goes through proxy_url (HTTP CONNECT)', async () => {
    const s = await start();
    const tunnels: string[] = [];
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const up = connect(Number(port), host!, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    others.push(proxy);
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    const { batch } = await send({ hosts: [s.url], proxy_url: `http://127.0.0.1:${port}` });
    assert.deepEqual(batch.signals, ['ack']);
    assert.deepEqual([...new Set(tunnels)], [`127.0.0.1:${s.port}`]);
    assert.equal(s.docs().length, 2);
  });

  it('speaks TLS with a self-signed certificate from openssl: trusted CA ok, unknown CA refused, insecure ok', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'es-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'pipe' });
    } catch (err) {
      t.skip(`openssl is not available to make a test certificate: ${(err as Error).message}`);
      return;
    }
    const s = await start({ tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) } });
    assert.match(s.url, /^https:/);
    const ok = await send({ hosts: [s.url], tls: { certificate_authorities: [join(dir, 'cert.pem')], min_version: '1.2' } });
    assert.deepEqual(ok.batch.signals, ['ack']);
    const viaProtocol = await send({ hosts: [`127.0.0.1:${s.port}`], protocol: 'https', tls: { certificate_authorities: [join(dir, 'cert.pem')] } });
    assert.deepEqual(viaProtocol.batch.signals, ['ack']);
    const { group } = await esOutput({ hosts: [s.url], template: { enabled: false } });
    clients.push(group.clients[0]!);
    await assert.rejects(group.clients[0]!.connect!(sig()), /self[- ]signed certificate/i);
    const insecure = await send({ hosts: [s.url], tls: { insecure: true } });
    assert.deepEqual(insecure.batch.signals, ['ack']);
    assert.equal(s.docs().length, 6);
  });
});
