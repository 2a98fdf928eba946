import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli as runCliRaw } from '../../../support/run-cli.js';
import type { ChildProcess } from 'node:child_process';

/** The machine is shared: allow slow starts. */
const runCli = (script: string, args: string[]) => runCliRaw(script, args);
import { CaptureParser } from '../../../../src/beats/packetbeat/pcap/reader.js';

const CLI = 'dist/test/support/packetbeat/test-packetbeat-cli.js';
const CAPTURES = '/work/shared/captures';

function setup(protocols: string, extra = ''): { dir: string; cfg: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pb-cli-'));
  const out = join(dir, 'out');
  const cfg = join(dir, 'packetbeat.yml');
  writeFileSync(cfg, `protocols:\n${protocols}\noutput:\n  file:\n    path: ${out}\n    filename: packetbeat\nlogging:\n  level: info\n${extra}`);
  return { dir, cfg, out };
}

function events(out: string): Record<string, unknown>[] {
  const f = join(out, 'packetbeat');
  if (!existsSync(f)) return [];
  return readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('-I file -t publishes every transaction and exits 0; -dump writes the packets', async (t) => {
  if (!existsSync(join(CAPTURES, 'redis.pcap'))) return t.skip('shared captures not present');
  const { dir, cfg, out } = setup('  streams:\n    ports: [16379, 18080]\n  datagrams:\n    ports: [15353]');
  const dump = join(dir, 'dump.pcap');
  const r = await runCli(CLI, ['-c', cfg, '-I', join(CAPTURES, 'http.pcap'), '-t', '-e', '-dump', dump]);
  assert.equal(r.code, 0, r.stderr);
  const ev = events(out);
  assert.equal(ev.length, 6, 'six HTTP connections');
  for (const e of ev) {
    assert.equal(e['type'], 'streams');
    assert.equal(e['port'], 18080);
    assert.equal(e['direction'], 'in');
    assert.ok(typeof e['@timestamp'] === 'string');
    assert.ok((e['beat'] as { name: string }).name);
  }
  const parser = new CaptureParser();
  let n = 0;
  parser.push(readFileSync(dump), () => n++);
  assert.equal(n, 76);
  assert.match(r.stderr, /Read 76 packets/);
});

test('-l 3 reads the file three times', async (t) => {
  if (!existsSync(join(CAPTURES, 'dns_udp.pcap'))) return t.skip('shared captures not present');
  const { cfg, out } = setup('  datagrams:\n    ports: [15353]');
  const r = await runCli(CLI, ['-c', cfg, '-I', join(CAPTURES, 'dns_udp.pcap'), '-t', '-l', '3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(events(out).length, 22 * 3);
});

test('without -t the file is replayed with its timing', async (t) => {
  if (!existsSync(join(CAPTURES, 'dns_udp.pcap'))) return t.skip('shared captures not present');
  const { cfg, out } = setup('  datagrams:\n    ports: [15353]');
  const start = Date.now();
  const r = await runCli(CLI, ['-c', cfg, '-I', join(CAPTURES, 'dns_udp.pcap')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(events(out).length, 22);
  assert.ok(Date.now() - start < 15_000);
});

test('config mistakes exit 1 with one line naming the option', async () => {
  const bad = [
    ['  nosuch:\n    ports: [1]', /protocols\.nosuch: unknown protocol/],
    ['  line:\n    ports: [70000]', /protocols\.line\.ports\.0: must be at most 65535/],
    ['  line:\n    ports: [80]\n  streams:\n    ports: [80]', /port 80 is already used by protocols\.line/],
  ] as const;
  const results = await Promise.all(bad.map(([protocols]) => runCli(CLI, ['-c', setup(protocols).cfg, '-I', '/dev/null', '-t'])));
  results.forEach((r, i) => {
    assert.equal(r.code, 1);
    assert.match(r.stderr, bad[i]![1]);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
  const { cfg } = setup('  line:\n    ports: [7777]');
  const r = await runCli(CLI, ['-c', cfg, '-I', join(tmpdir(), 'does-not-exist.pcap'), '-t']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read capture file/);
  const r2 = await runCli(CLI, ['-c', cfg, '-I', cfg, '-t']);
  assert.equal(r2.code, 1);
  assert.match(r2.stderr, /not a pcap or pcapng capture/);
  const r3 = await runCli(CLI, ['-c', cfg, '-I', cfg, '-t', '-l', 'x']);
  assert.equal(r3.code, 1);
  assert.match(r3.stderr, /-l must be a whole number/);
});

test('-devices lists devices and exits 0', async () => {
  const { cfg } = setup('  line:\n    ports: [7777]');
  const r = await runCli(CLI, ['-c', cfg, '-devices']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^0: /m);
  assert.match(r.stdout, /\blo\b/);
});

test('-O reads one packet per Enter', async (t) => {
  if (!existsSync(join(CAPTURES, 'dns_udp.pcap'))) return t.skip('shared captures not present');
  const { cfg, out } = setup('  datagrams:\n    ports: [15353]');
  let child: ChildProcess | undefined;
  const done = runCliRaw(CLI, ['-c', cfg, '-I', join(CAPTURES, 'dns_udp.pcap'), '-t', '-O'], { timeoutMs: 60_000, onSpawn: (p) => (child = p) });
  let stderr = '';
  child!.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const prompts = (): number => stderr.split('Press Enter').length - 1;
  const deadline = Date.now() + 30_000;
  while (prompts() < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  child!.stdin!.write('\n\n\n');
  // packet 1 waited (prompt 1); the 3 Enters release packets 1-3; packet 4 waits again (prompt 2)
  while (prompts() < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(prompts(), 2, 'waits for the 4th Enter');
  child!.stdin!.end(); // end of input: the rest is read without waiting
  const r = await done;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(events(out).length, 22);
});

test('-waitstop N waits N seconds after the file is done', async (t) => {
  if (!existsSync(join(CAPTURES, 'dns_udp.pcap'))) return t.skip('shared captures not present');
  const { cfg, out } = setup('  datagrams:\n    ports: [15353]');
  const r0 = Date.now();
  const r = await runCli(CLI, ['-c', cfg, '-I', join(CAPTURES, 'dns_udp.pcap'), '-t', '-waitstop', '2']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - r0 >= 2000);
  assert.equal(events(out).length, 22);
});
