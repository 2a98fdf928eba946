import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliResult } from '../../../support/run-cli.js';
import { hasCaptureRights } from '../../../../src/beats/packetbeat/source/tcpdump.js';
import { loadLibpcap } from '../../../../src/beats/packetbeat/source/libpcap.js';
import { spawnSync } from 'node:child_process';

/** The real `packetbeat` (builtin HTTP protocol) sniffing lo while Node's http client talks to Node's http server. */
test('live: packetbeat sniffs lo and reports the HTTP transactions of a keep-alive client', async (t) => {
  if (!hasCaptureRights()) return t.skip('live capture needs root or CAP_NET_RAW');
  if (loadLibpcap() === undefined && spawnSync('tcpdump', ['--version']).error) return t.skip('neither the pcap binding nor tcpdump is installed');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not here');
      } else {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ url: req.url, got: body.length }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'pb-live-http-'));
  const out = join(dir, 'out');
  const cfg = join(dir, 'packetbeat.yml');
  writeFileSync(cfg, `interfaces:\n  device: lo\nprotocols:\n  http:\n    ports: [${port}]\noutput:\n  file:\n    path: ${out}\n    filename: packetbeat\n`);
  let child: ChildProcess | undefined;
  let stderr = '';
  let result: CliResult | undefined;
  await new Promise<void>((resolve) => {
    void runCli('bin/packetbeat.js', ['-c', cfg, '-e', '-v'], {
      timeoutMs: 40_000,
      onSpawn: (p) => {
        child = p;
        p.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/Capture started/.test(stderr)) resolve();
        });
      },
    }).then((r) => {
      result = r;
      resolve();
    });
  });
  assert.equal(result, undefined, `packetbeat exited early: ${stderr}`);
  await new Promise((r) => setTimeout(r, 300));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const call = (method: string, path: string, body?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, agent, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
  assert.equal(await call('GET', '/a?x=1'), 200);
  assert.equal(await call('GET', '/missing'), 404);
  assert.equal(await call('POST', '/items', '{"name":"x"}'), 200);
  agent.destroy();
  await new Promise((r) => setTimeout(r, 1500));
  child!.kill('SIGINT');
  const deadline = Date.now() + 20_000;
  while (result === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  server.close();
  assert.ok(result, 'packetbeat stopped after SIGINT');
  assert.equal(result.code, 0, stderr);
  const file = join(out, 'packetbeat');
  assert.ok(existsSync(file), stderr);
  const events = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    events.map((e) => `${e['method']} ${e['path']} ${(e['http'] as { code?: number } | undefined)?.code} ${e['status']}`),
    ['GET /a 200 OK', 'GET /missing 404 Error', 'POST /items 200 OK'],
  );
  for (const e of events) {
    assert.equal(e['type'], 'http');
    assert.equal(e['port'], port);
    assert.equal(e['direction'], 'in');
    assert.equal(typeof e['responsetime'], 'number');
  }
  assert.equal(new Set(events.map((e) => e['client_port'])).size, 1, 'one keep-alive connection');
});
