import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/libbeat/config/load.js';
import { ConfigError } from '../../../src/libbeat/common/errors.js';
import { nameMatcher, parseTopbeatConfig } from '../../../src/beats/topbeat/config.js';

const parse = (yaml: string) => parseTopbeatConfig(loadConfigText(yaml, 'topbeat.yml'));

describe('topbeat config', () => {
  it('has the 1.0 defaults', () => {
    const c = parse('output:\n  console: {}\n');
    assert.equal(c.periodMs, 10_000);
    assert.deepEqual(c.procs.map(String), ['/.*/']);
    assert.deepEqual([c.system, c.proc, c.filesystem, c.cpuPerCore], [true, true, true, false]);
  });

  it('reads period in seconds or as a duration, procs, stats and cpu_per_core', () => {
    const c = parse('input:\n  period: 2.5\n  procs: ["^nginx$", "(?i)^java"]\n  stats:\n    system: false\n    filesystem: off\n  cpu_per_core: true\n');
    assert.equal(c.periodMs, 2500);
    assert.deepEqual([c.system, c.proc, c.filesystem, c.cpuPerCore], [false, true, false, true]);
    const m = nameMatcher(c.procs);
    assert.deepEqual(['nginx', 'JAVA', 'nginx2', 'bash'].map(m), [true, true, false, false]);
    assert.equal(parse('input:\n  period: 1m\n').periodMs, 60_000);
  });

  it('procs: ["^$"] and stats.proc: false disable per-process events', () => {
    assert.equal(parse('input:\n  procs: ["^$"]\n').proc, false);
    assert.equal(parse('input:\n  stats:\n    proc: false\n').proc, false);
  });

  it('reports bad values with the option path', () => {
    const cases: [string, RegExp][] = [
      ['input:\n  period: -5\n', /^topbeat\.yml: input\.period: must be a positive number of seconds, got -5$/],
      ['input:\n  period: 0\n', /input\.period: must be a positive number of seconds, got 0/],
      ['input:\n  period: soon\n', /input\.period: must be a duration like 10s/],
      ['input:\n  procs: ["ok", "(unclosed"]\n', /^topbeat\.yml: input\.procs\.1: is not a valid regular expression \("\(unclosed"\)/],
      ['input:\n  stats: yes\n', /input\.stats: must be a section/],
      ['input:\n  stats:\n    system: maybe\n', /input\.stats\.system: must be true or false/],
      ['input:\n  cpu_per_core: 3\n', /input\.cpu_per_core: must be true or false/],
    ];
    for (const [yaml, re] of cases) assert.throws(() => parse(yaml), (e: unknown) => e instanceof ConfigError && re.test(e.message), yaml);
  });

  it('lists unknown options so that the beat can warn about them', () => {
    assert.deepEqual(parse('input:\n  perod: 5\n  stats:\n    sytem: true\n').unknown, ['input.perod', 'input.stats.sytem']);
  });
});
