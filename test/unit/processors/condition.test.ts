import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ConfigNode } from '../../../src/libbeat/config/config-node.js';
import { compileCondition } from '../../../src/libbeat/processors/condition.js';

/** Compiles a `when` written in YAML and checks it against the event fields. */
function matches(when: string, fields: Record<string, unknown>): boolean {
  return compileCondition(new ConfigNode(parse(when), 'test.yml', 'when')).check(fields);
}

const ev = {
  type: 'http',
  status: 'OK',
  method: 'GET',
  secure: true,
  tags: ['web', 'frontend'],
  http: { code: 404, path: '/api/users', ratio: 0.25 },
  proc: { name: 'nginx-worker', cpu: { pct: 0.75 } },
  code_str: '200',
};

describe('equals', () => {
  it('compares strings, integers and booleans, nested by dotted name', () => {
    assert.equal(matches('equals: {status: OK}', ev), true);
    assert.equal(matches('equals: {status: ok}', ev), false);
    assert.equal(matches('equals: {http.code: 404}', ev), true);
    assert.equal(matches('equals: {http.code: 200}', ev), false);
    assert.equal(matches('equals: {secure: true}', ev), true);
    assert.equal(matches('equals: {secure: false}', ev), false);
  });
  it('accepts the nested YAML form', () => {
    assert.equal(matches('equals: {http: {code: 404}}', ev), true);
  });
  it('does not coerce between types (as Beats)', () => {
    assert.equal(matches('equals: {code_str: 200}', ev), false);
    assert.equal(matches("equals: {code_str: '200'}", ev), true);
    assert.equal(matches("equals: {http.code: '404'}", ev), false);
  });
  it('needs every listed field to match, and a missing field never matches', () => {
    assert.equal(matches('equals: {status: OK, method: GET}', ev), true);
    assert.equal(matches('equals: {status: OK, method: POST}', ev), false);
    assert.equal(matches('equals: {nope: x}', ev), false);
  });
});

describe('contains', () => {
  it('matches substrings of strings and of any element of a string list', () => {
    assert.equal(matches('contains: {http.path: /api/}', ev), true);
    assert.equal(matches('contains: {http.path: /admin}', ev), false);
    assert.equal(matches('contains: {tags: front}', ev), true);
    assert.equal(matches('contains: {tags: back}', ev), false);
  });
  it('never matches non-strings or missing fields', () => {
    assert.equal(matches("contains: {http.code: '40'}", ev), false);
    assert.equal(matches('contains: {nope: x}', ev), false);
  });
});

describe('regexp', () => {
  it('searches (unanchored) and supports anchors', () => {
    assert.equal(matches("regexp: {proc.name: 'nginx'}", ev), true);
    assert.equal(matches("regexp: {proc.name: '^worker'}", ev), false);
    assert.equal(matches("regexp: {proc.name: '^nginx-.*er$'}", ev), true);
  });
  it('translates the RE2 (?i) flag', () => {
    assert.equal(matches("regexp: {method: '(?i)^get$'}", ev), true);
    assert.equal(matches("regexp: {method: '^get$'}", ev), false);
  });
  it('matches any element of a string list, never non-strings', () => {
    assert.equal(matches("regexp: {tags: '^front'}", ev), true);
    assert.equal(matches("regexp: {http.code: '404'}", ev), false);
  });
  it('is stateless across calls', () => {
    const c = compileCondition(new ConfigNode(parse("regexp: {status: 'O'}"), 'test.yml', 'when'));
    for (let i = 0; i < 3; i++) assert.equal(c.check(ev), true);
  });
});

describe('range', () => {
  it('checks gte, gt, lt, lte on integers and floats', () => {
    assert.equal(matches('range: {http.code.gte: 400}', ev), true);
    assert.equal(matches('range: {http.code.gte: 404, http.code.lte: 404}', ev), true);
    assert.equal(matches('range: {http.code.gt: 404}', ev), false);
    assert.equal(matches('range: {http.code.lt: 404}', ev), false);
    assert.equal(matches('range: {http.code.gte: 400, http.code.lt: 500}', ev), true);
    assert.equal(matches('range: {proc.cpu.pct.gt: 0.5}', ev), true);
    assert.equal(matches('range: {http.ratio.lt: 0.2}', ev), false);
  });
  it('accepts the nested form and several fields (all must hold)', () => {
    assert.equal(matches('range: {http: {code: {gte: 400, lt: 500}}}', ev), true);
    assert.equal(matches('range: {http.code.gte: 400, proc.cpu.pct.lt: 0.5}', ev), false);
  });
  it('never matches strings or missing fields', () => {
    assert.equal(matches('range: {code_str.gte: 100}', ev), false);
    assert.equal(matches('range: {nope.gte: 0}', ev), false);
  });
});

describe('has_fields', () => {
  it('needs every field to exist', () => {
    assert.equal(matches('has_fields: [status, http.code]', ev), true);
    assert.equal(matches('has_fields: [status, http.nope]', ev), false);
    assert.equal(matches('has_fields: [http]', ev), true);
  });
});

describe('or, and, not', () => {
  it('combine conditions', () => {
    assert.equal(matches('or: [{equals: {http.code: 200}}, {equals: {http.code: 404}}]', ev), true);
    assert.equal(matches('or: [{equals: {http.code: 200}}, {equals: {http.code: 500}}]', ev), false);
    assert.equal(matches('and: [{equals: {method: GET}}, {range: {http.code.gte: 400}}]', ev), true);
    assert.equal(matches('and: [{equals: {method: GET}}, {range: {http.code.lt: 400}}]', ev), false);
    assert.equal(matches('not: {equals: {method: GET}}', ev), false);
    assert.equal(matches('not: {equals: {method: POST}}', ev), true);
  });
  it('nest', () => {
    const when = `
and:
  - not: {has_fields: [error]}
  - or:
      - contains: {http.path: /api}
      - regexp: {proc.name: '^apache'}
`;
    assert.equal(matches(when, ev), true);
    assert.equal(matches(when, { ...ev, error: 'x' }), false);
  });
});
