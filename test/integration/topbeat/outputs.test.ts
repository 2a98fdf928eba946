import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEsServer, type EsTestServer } from '../../support/es-server/server.js';
import { LumberjackReceiver } from '../../support/lumberjack/receiver.js';
import { runCli } from '../../support/run-cli.js';

// One topbeat run shipping to Elasticsearch (test server), Logstash (lumberjack receiver), a file and the console at
// once: each gets all three event types with the 1.0 field names.

const WANTED = ['system', 'process', 'filesystem'];
const typesOf = (docs: Record<string, unknown>[]) => new Set(docs.map((d) => d['type']));

describe('topbeat to every output', { skip: process.platform === 'linux' ? false : 'uses the Linux source' }, () => {
  let es: EsTestServer;
  let ls: LumberjackReceiver;
  before(async () => {
    es = await startEsServer({ version: '2.4.6' });
    ls = await LumberjackReceiver.start();
  });
  after(async () => {
    await es?.close();
    await ls?.close();
  });

  it('Elasticsearch, Logstash, file and console get system, process and filesystem events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'topbeat-outputs-'));
    const cfg = join(dir, 'topbeat.yml');
    writeFileSync(
      cfg,
      `input:\n  period: 1\n  procs: ["^node$", "^sh$"]\noutput:\n` +
        `  elasticsearch:\n    hosts: ["${es.url}"]\n    flush_interval: 0.05\n` +
        `  logstash:\n    hosts: ["127.0.0.1:${ls.port}"]\n` +
        `  file:\n    path: ${dir}/out\n` +
        `  console: {}\n`,
    );
    const esDocs = (): Record<string, unknown>[] => [...es.indices.values()].flat().map((d) => d._source);
    const fileDocs = () =>
      existsSync(join(dir, 'out', 'topbeat'))
        ? readFileSync(join(dir, 'out', 'topbeat'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)
        : [];
    const lsDocs = () => ls.events.map((e) => e.doc);
    let stdout = '';
    const r = await runCli('bin/topbeat.js', ['-c', cfg], {
      timeoutMs: 25_000,
      onSpawn: (p) => {
        p.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
        const poll = setInterval(() => {
          const all = [esDocs(), lsDocs(), fileDocs()];
          if (all.every((docs) => WANTED.every((t) => typesOf(docs).has(t)))) {
            clearInterval(poll);
            p.kill('SIGTERM');
          }
        }, 100);
        p.on('exit', () => clearInterval(poll));
      },
    });
    assert.equal(r.code, 0, r.stderr);
    const consoleDocs = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const [name, docs] of [['elasticsearch', esDocs()], ['logstash', lsDocs()], ['file', fileDocs()], ['console', consoleDocs]] as const) {
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
