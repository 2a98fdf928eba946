import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigText } from '../../../src/libbeat/config/load.js';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { ConfigError } from '../../../src/libbeat/common/errors.js';
import { parseDuration } from '../../../src/libbeat/config/duration.js';

describe('config', () => {
  it('names the file, the option path and the expectation in errors', () => {
    const cfg = loadConfigText('input:\n  period: -5\n', 'topbeat.yml');
    assert.throws(
      () => cfg.child('input').num('period', 10, { min: 0.001, minMessage: 'must be a positive number' }),
      (e: unknown) => e instanceof ConfigError && e.message === 'topbeat.yml: input.period: must be a positive number, got -5',
    );
  });

  it('reports broken YAML with its line', () => {
    assert.throws(() => loadConfigText('output:\n  file: [\n', 'x.yml'), /x\.yml: invalid YAML at line 3/);
    assert.throws(() => loadConfigText('a: 1\na: 2\n', 'x.yml'), /x\.yml: invalid YAML at line 2/);
  });

  it('expands ${VAR} and ${VAR:default}, typing whole-value references', () => {
    const env = { PORT: '9201', HOST: 'es1' };
    const cfg = loadConfigText(
      'output:\n  elasticsearch:\n    hosts: ["${HOST}:${PORT}"]\n    worker: ${WORKERS:2}\n    index: ${IDX:beat}\n',
      'x.yml',
      { env },
    );
    const es = cfg.child('output').child('elasticsearch');
    assert.deepEqual(es.strList('hosts', []), ['es1:9201']);
    assert.equal(es.get('worker'), 2);
    assert.equal(es.str('index', ''), 'beat');
    assert.throws(() => loadConfigText('a: ${NOPE}\n', 'x.yml', { env }), /x\.yml: a: environment variable NOPE is not set/);
  });

  it('applies -E overrides as typed values on dotted keys', () => {
    const cfg = loadConfigText('input:\n  period: 10\n', 'x.yml', {
      overrides: ['input.period=3', 'output.file.path=/tmp/x', 'input.procs=["^node$"]', 'shipper.tags=[a, b]'],
    });
    assert.equal(cfg.child('input').num('period', 0), 3);
    assert.equal(cfg.child('output').child('file').str('path'), '/tmp/x');
    assert.deepEqual(cfg.child('input').strList('procs', []), ['^node$']);
    assert.deepEqual(cfg.child('shipper').strList('tags', []), ['a', 'b']);
  });

  it('validates types of every accessor', () => {
    const n = new ConfigNode({ a: 'x', b: [1], c: { d: 1 }, e: 'yes', f: '(' , g: '1m30s', h: 2.5 }, 'f.yml', 'sec');
    assert.throws(() => n.int('a', 0), /f\.yml: sec\.a: must be a number, got "x"/);
    assert.throws(() => n.str('b'), /sec\.b: must be a string, got a list/);
    assert.throws(() => n.child('a'), /sec\.a: must be a section/);
    assert.equal(n.bool('e', false), true);
    assert.throws(() => n.regexp('f'), /sec\.f: is not a valid regular expression/);
    assert.equal(n.durationMs('g', 0), 90_000);
    assert.equal(n.durationMs('h', 0), 2500);
    assert.throws(() => n.int('h', 0), /sec\.h: must be a whole number, got 2\.5/);
    assert.equal(n.child('c').int('d', 0), 1);
    assert.equal(n.int('missing', 7), 7);
    assert.throws(() => n.oneOf('a', ['list', 'channel'], 'list'), /must be one of list, channel, got "x"/);
  });

  it('translates RE2 (?i) flags', () => {
    const n = new ConfigNode({ p: '(?i)^error' });
    assert.equal(n.regexp('p')!.test('ERROR: x'), true);
  });

  it('parses Go durations', () => {
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('10'), 10_000);
    assert.equal(parseDuration('10', 'ms'), 10);
    assert.equal(parseDuration('ten'), undefined);
    assert.equal(parseDuration('5x'), undefined);
  });
});
