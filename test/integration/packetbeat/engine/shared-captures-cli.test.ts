import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCli } from '../../../support/run-cli.js';
import { runCapture } from '../../../support/packetbeat/run-capture.js';

/**
 * The "done when": `packetbeat -c <config> -I capture.pcap -t` (the real CLI, builtin protocols, file
 * output) produces as many transactions as each shared capture holds, with the expected type, transport,
 * endpoints, method and status. Protocol details are checked by each protocol's own capture tests.
 */
const CAPTURES = '/work/shared/captures';
const CONFIG: Record<string, string> = {
  http: 'http:\n    ports: [18080]',
  dns_udp: 'dns:\n    ports: [15353]',
  dns_tcp: 'dns:\n    ports: [15353]',
  mysql: 'mysql:\n    ports: [13306]',
  mysql_prepared: 'mysql:\n    ports: [13306]',
  mysql_pymysql: 'mysql:\n    ports: [13306]',
  pgsql: 'pgsql:\n    ports: [15432]',
  pgsql_extended: 'pgsql:\n    ports: [15432]',
  redis: 'redis:\n    ports: [16379]',
  memcache_text: 'memcache:\n    ports: [21211]\n    parseunknown: true',
  memcache_binary: 'memcache:\n    ports: [21211]',
  memcache_udp: 'memcache:\n    ports: [21211]',
  thrift_unframed: 'thrift:\n    ports: [19090]\n    transport_type: socket',
  thrift_framed: 'thrift:\n    ports: [19091]\n    transport_type: framed',
};

interface Expected {
  type: string;
  transport: string;
  client_ip: string;
  client_port: number;
  server_ip: string;
  port: number;
  method?: string;
  status?: string;
}

async function runOne(name: string): Promise<{ events: Record<string, unknown>[]; stderr: string; code: number | null }> {
  const dir = mkdtempSync(join(tmpdir(), `pb-${name}-`));
  const cfg = join(dir, 'packetbeat.yml');
  writeFileSync(cfg, `protocols:\n  ${CONFIG[name]}\noutput:\n  file:\n    path: ${join(dir, 'out')}\n    filename: packetbeat\n`);
  const r = await runCli('bin/packetbeat.js', ['-c', cfg, '-I', join(CAPTURES, `${name}.pcap`), '-t'], { timeoutMs: 90_000 });
  const file = join(dir, 'out', 'packetbeat');
  const events = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : [];
  return { events, stderr: r.stderr, code: r.code };
}

/** Through the CLI (a process each): HTTP, DNS and one capture per other protocol; the rest in process (runCapture). */
const CLI_CAPTURES = new Set(['http', 'dns_udp', 'dns_tcp', 'mysql', 'pgsql', 'redis', 'memcache_udp', 'thrift_framed']);
const names = Object.keys(CONFIG).filter((n) => existsSync(join(CAPTURES, `${n}.pcap`)));
const cliNames = names.filter((n) => CLI_CAPTURES.has(n));

/** The same protocol section as a runCapture argument. */
function sectionOf(name: string): Record<string, Record<string, unknown>> {
  const parsed = parseYaml(`protocols:\n  ${CONFIG[name]}\n`) as { protocols: Record<string, Record<string, unknown>> };
  return parsed.protocols;
}

async function runInProcess(name: string): Promise<{ events: Record<string, unknown>[]; stderr: string; code: number | null }> {
  const events = await runCapture(join(CAPTURES, `${name}.pcap`), sectionOf(name));
  // what the pipeline adds to every event
  return { events: events.map((e) => ({ ...e.fields, count: 1 })), stderr: '', code: 0 };
}

test('shared captures present', (t) => {
  if (names.length === 0) t.skip(`no shared captures in ${CAPTURES}`);
});

// Four CLI processes at a time (the machine is shared).
const results = new Map<string, Promise<Awaited<ReturnType<typeof runOne>>>>();
{
  let running: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < cliNames.length; i += 4) {
    const batch = cliNames.slice(i, i + 4);
    const started = running.then(() => batch.map((n) => runOne(n)));
    batch.forEach((n, k) => results.set(n, started.then((ps) => ps[k]!)));
    running = started.then((ps) => Promise.allSettled(ps));
  }
}

for (const name of names) {
  const how = cliNames.includes(name) ? `packetbeat -I ${name}.pcap -t` : `engine + builtin protocol on ${name}.pcap`;
  test(`${how}: the expected transactions`, async () => {
    const { events, stderr, code } = await (results.get(name) ?? runInProcess(name));
    assert.equal(code, 0, stderr);
    const expected = JSON.parse(readFileSync(join(CAPTURES, `${name}.expected.json`), 'utf8')) as Expected[];
    assert.equal(events.length, expected.length, `event count; stderr: ${stderr}`);
    const left = [...events];
    for (const x of expected) {
      const i = left.findIndex((e) => e['client_port'] === x.client_port && e['port'] === x.port && (x.method === undefined || e['method'] === x.method));
      assert.ok(i >= 0, `no ${x.method ?? ''} transaction from port ${x.client_port} (${JSON.stringify(x).slice(0, 200)})`);
      const e = left.splice(i, 1)[0]!;
      assert.equal(e['type'], x.type);
      assert.equal(e['transport'], x.transport);
      assert.equal(e['client_ip'], x.client_ip);
      assert.equal(e['ip'], x.server_ip);
      if (x.status !== undefined) assert.equal(e['status'], x.status, `${x.method} status`);
      assert.equal(e['direction'], 'in');
      assert.equal(e['count'], 1);
    }
  });
}
