import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../support/run-cli.js';
import { hasCaptureRights } from '../../../../src/beats/packetbeat/source/tcpdump.js';
import { loadLibpcap } from '../../../../src/beats/packetbeat/source/libpcap.js';

const CLI = 'dist/test/support/packetbeat/test-packetbeat-cli.js';

for (const source of ['tcpdump', 'libpcap'] as const) {
test(`live capture on lo (${source}): a Node client and server talking the line protocol become transactions`, async (t) => {
  if (!hasCaptureRights()) return t.skip('live capture needs root or CAP_NET_RAW');
  if (source === 'tcpdump' && spawnSync('tcpdump', ['--version']).error) return t.skip('tcpdump not installed');
  if (source === 'libpcap' && loadLibpcap() === undefined) return t.skip('optional npm package "pcap" (libpcap binding) not installed');
  const server = createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        sock.write(line.startsWith('FAIL') ? `ERR ${line}\n` : `OK ${line}\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'pb-live-'));
  const out = join(dir, 'out');
  const cfg = join(dir, 'packetbeat.yml');
  writeFileSync(cfg, `interfaces:\n  device: lo\n  source: ${source}\nprotocols:\n  line:\n    ports: [${port}]\noutput:\n  file:\n    path: ${out}\n    filename: packetbeat\n`);
  let child: ChildProcess | undefined;
  let stderr = '';
  const started = new Promise<void>((resolve) => {
    const done = runCli(CLI, ['-c', cfg, '-e', '-v'], {
      timeoutMs: 25_000,
      onSpawn: (p) => {
        child = p;
        p.stderr!.on('data', (d: Buffer) => {
          stderr += d.toString();
          if (/Capture started/.test(stderr)) resolve();
        });
      },
    });
    void done.then((r) => {
      result = r;
      resolve();
    });
  });
  let result: Awaited<ReturnType<typeof runCli>> | undefined;
  await started;
  assert.equal(result, undefined, `packetbeat exited early: ${stderr}`);
  await new Promise((r) => setTimeout(r, 300));
  // two connections, 3 + 2 requests, one failing
  for (const lines of [['GET a', 'GET b', 'FAIL c'], ['SET x', 'GET x']]) {
    await new Promise<void>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => {
        let got = 0;
        c.on('data', (d) => {
          got += d.toString().split('\n').length - 1;
          if (got >= lines.length) c.end();
        });
        for (const l of lines) c.write(l + '\n');
      });
      c.on('close', () => resolve());
      c.on('error', reject);
    });
  }
  await new Promise((r) => setTimeout(r, 1500));
  child!.kill('SIGINT');
  const deadline = Date.now() + 15_000;
  while (result === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  server.close();
  assert.ok(result, 'packetbeat stopped after SIGINT');
  assert.equal(result.code, 0, stderr);
  const file = join(out, 'packetbeat');
  assert.ok(existsSync(file), stderr);
  const events = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    events.map((e) => `${e['query']} ${e['status']}`),
    ['GET a OK', 'GET b OK', 'FAIL c Server Error', 'SET x OK', 'GET x OK'],
  );
  for (const e of events) {
    assert.equal(e['port'], port);
    assert.equal(e['ip'], '127.0.0.1');
    assert.equal(e['type'], 'line');
    assert.equal(typeof e['responsetime'], 'number');
  }
});
}
