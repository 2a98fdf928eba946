import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { cpuFields, filesystemEvent, processEvent, systemEvent } from '../../../src/beats/topbeat/events.js';
import { REPO_ROOT } from '../../support/run-cli.js';

interface Field {
  name: string;
  type: string;
  description?: string;
  fields?: Field[];
}

/** Declared leaf paths; `object` fields cover everything below them. */
function declared(fields: Field[], prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    if (f.fields) declared(f.fields, path, out);
    else out.set(path, f.type);
  }
  return out;
}

function leafPaths(v: unknown, prefix = ''): string[] {
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, c]) => leafPaths(c, prefix ? `${prefix}.${k}` : k));
}

describe('etc/fields/topbeat.fields.yml', () => {
  const groups = parse(readFileSync(`${REPO_ROOT}etc/fields/topbeat.fields.yml`, 'utf8')) as { key: string; title: string; description: string; fields: Field[] }[];
  const fields = declared(groups.flatMap((g) => g.fields));

  it('is a list of groups whose fields all have a type and a description', () => {
    assert.deepEqual(groups.map((g) => g.key), ['system', 'process', 'filesystem']);
    const walk = (fs: Field[]): void =>
      fs.forEach((f) => {
        assert.ok(f.name && f.type && f.description && f.description.trim().length > 5, JSON.stringify(f.name));
        if (f.fields) walk(f.fields);
      });
    for (const g of groups) {
      assert.ok(g.title && g.description);
      walk(g.fields);
    }
  });

  it('declares every field of every event type, with a numeric type for numbers', () => {
    const cpu = { user: 1, nice: 0, system: 1, idle: 1, iowait: 0, irq: 0, softirq: 0, steal: 0 };
    const docs = [
      systemEvent({
        load: { load1: 1, load5: 1, load15: 1 },
        cpu: cpuFields(cpu, cpu),
        cpus: { cpu0: cpuFields(undefined, cpu) },
        memory: { total: 2, free: 1, available: 1, swapTotal: 0, swapFree: 0 },
      }),
      processEvent({ pid: 1, ppid: 0, name: 'x', state: 'S', userMs: 1, systemMs: 1, startMs: 1, size: 1, rss: 1, share: 1, cmdline: 'x', username: 'root' }, 0, 2, '00:00'),
      filesystemEvent({ deviceName: 'd', mountPoint: '/', total: 2, free: 1, avail: 1, files: 1, freeFiles: 1 }),
    ];
    for (const doc of docs) {
      for (const path of leafPaths(doc)) {
        if (path === 'type') continue; // declared by libbeat's fields file
        const covering = [...fields.keys()].find((k) => k === path || (fields.get(k) === 'object' && path.startsWith(`${k}.`)));
        assert.ok(covering, `${path} is declared`);
        const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], doc);
        const type = fields.get(covering)!;
        if (typeof value === 'number') assert.ok(['long', 'float', 'double', 'integer', 'scaled_float', 'object'].includes(type), `${path}: ${type}`);
        else assert.equal(type, 'keyword', path);
      }
    }
  });
});

describe('topbeat template', () => {
  it('parses with libbeat fields loader and maps numbers and keywords for ES 2.x and 7.x', async () => {
    const { beatFieldsFiles, loadFieldsFile } = await import('../../../src/libbeat/template/fields.js');
    const { buildProperties } = await import('../../../src/libbeat/template/mapping.js');
    const files = beatFieldsFiles('topbeat', [], `${REPO_ROOT}etc/fields`);
    assert.ok(files.some((f) => f.endsWith('topbeat.fields.yml')), files.join(','));
    const groups = files.flatMap((f) => loadFieldsFile(f));
    for (const major of [2, 7]) {
      const props = buildProperties(groups, major);
      const get = (path: string): Record<string, unknown> | undefined => {
        let cur = props as Record<string, unknown>;
        const parts = path.split('.');
        for (let i = 0; i < parts.length; i++) {
          const node = (i === 0 ? cur : ((cur['properties'] ?? {}) as Record<string, unknown>))[parts[i]!] as Record<string, unknown> | undefined;
          if (!node) return undefined;
          cur = node;
        }
        return cur;
      };
      assert.equal(get('mem.actual_used_p')?.['type'], 'float', `ES ${major}`);
      assert.equal(get('proc.cpu.user_p')?.['type'], 'float');
      assert.equal(get('fs.total')?.['type'], 'long');
      assert.ok(get('proc.name')?.['type'] === 'keyword' || get('proc.name')?.['type'] === 'string', JSON.stringify(get('proc.name')));
    }
  });
});
