import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apply, chain, event } from './helpers.js';
import { runProcessors } from '../../../src/libbeat/processors/processor.js';

const base = () => ({ type: 'log', message: 'hello', beat: { name: 'b1', hostname: 'h1' }, http: { code: 200, path: '/x' } });

describe('drop_fields', () => {
  it('drops top-level and nested fields', () => {
    const out = apply('processors: [{drop_fields: {fields: [message, beat.hostname, missing.x]}}]', base());
    assert.deepEqual(out, { type: 'log', beat: { name: 'b1' }, http: { code: 200, path: '/x' } });
  });
  it('drops a whole object by its name', () => {
    assert.deepEqual(apply('processors: [{drop_fields: {fields: [http, beat]}}]', base()), { type: 'log', message: 'hello' });
  });
  it('does not change a nested object shared with other events', () => {
    const shared = { name: 'b1', hostname: 'h1' };
    const p = chain('processors: [{drop_fields: {fields: [beat.hostname, message]}}]');
    const a = runProcessors(p, { timestamp: new Date(0), fields: { type: 'log', message: 'x', beat: shared } })!;
    assert.deepEqual(a.fields, { type: 'log', beat: { name: 'b1' } });
    assert.deepEqual(shared, { name: 'b1', hostname: 'h1' });
  });
  it('drops a literal dotted top-level key too', () => {
    assert.deepEqual(apply('processors: [{drop_fields: {fields: [a.b]}}]', { 'a.b': 1, a: { b: 2, c: 3 } }), { a: { c: 3 } });
  });
  it('never drops @timestamp and type', () => {
    const out = apply("processors: [{drop_fields: {fields: ['@timestamp', type, message]}}]", { ...base(), '@timestamp': 't' });
    assert.equal(out?.['type'], 'log');
    assert.equal(out?.['@timestamp'], 't');
    assert.equal(out?.['message'], undefined);
  });
});

describe('include_fields', () => {
  it('keeps the listed fields plus type', () => {
    assert.deepEqual(apply('processors: [{include_fields: {fields: [message]}}]', base()), { type: 'log', message: 'hello' });
  });
  it('keeps just a nested leaf with its parents', () => {
    assert.deepEqual(apply('processors: [{include_fields: {fields: [http.code, beat]}}]', base()), {
      type: 'log',
      http: { code: 200 },
      beat: { name: 'b1', hostname: 'h1' },
    });
  });
  it('an empty list keeps only the mandatory fields', () => {
    assert.deepEqual(apply('processors: [{include_fields: {fields: []}}]', base()), { type: 'log' });
  });
  it('keeps the event timestamp (it lives outside fields)', () => {
    const e = event(base());
    const out = runProcessors(chain('processors: [{include_fields: {fields: []}}]'), e);
    assert.equal(out?.timestamp.getTime(), 0);
  });
});

describe('drop_event', () => {
  it('drops every event without a condition', () => {
    assert.equal(apply('processors: [{drop_event: }]', base()), null);
    assert.equal(apply('processors: [{drop_event: {}}]', base()), null);
  });
  it('drops only matching events and stops the chain', () => {
    const yaml = `
processors:
  - drop_event: {when: {equals: {http.code: 200}}}
  - add_fields: {fields: {seen: true}}
`;
    assert.equal(apply(yaml, base()), null);
    const kept = apply(yaml, { ...base(), http: { code: 404 } });
    assert.deepEqual(kept?.['fields'], { seen: true });
  });
});

describe('add_fields', () => {
  it('adds under fields by default, merging with what is there', () => {
    const out = apply('processors: [{add_fields: {fields: {env: prod, team: {name: ops}}}}]', { ...base(), fields: { keep: 1 } });
    assert.deepEqual(out?.['fields'], { keep: 1, env: 'prod', team: { name: 'ops' } });
  });
  it('adds under a custom target, dotted target names nest', () => {
    const out = apply("processors: [{add_fields: {target: project.meta, fields: {id: 7, 'a.b': x}}}]", base());
    assert.deepEqual(out?.['project'], { meta: { id: 7, a: { b: 'x' } } });
  });
  it('adds at the root with target ""', () => {
    const out = apply("processors: [{add_fields: {target: '', fields: {env: prod, http: {method: GET}}}}]", base());
    assert.equal(out?.['env'], 'prod');
    assert.deepEqual(out?.['http'], { code: 200, path: '/x', method: 'GET' });
  });
  it('gives every event its own copy of list values', () => {
    const p = chain('processors: [{add_fields: {fields: {list: [1, 2]}}}]');
    const a = runProcessors(p, event({}))!;
    ((a.fields['fields'] as Record<string, unknown>)['list'] as number[]).push(3);
    const b = runProcessors(p, event({}))!;
    assert.deepEqual((b.fields['fields'] as Record<string, unknown>)['list'], [1, 2]);
  });
});

describe('add_tags', () => {
  it('creates and appends to tags', () => {
    assert.deepEqual(apply('processors: [{add_tags: {tags: [web, prod]}}]', base())?.['tags'], ['web', 'prod']);
    assert.deepEqual(apply('processors: [{add_tags: {tags: [web]}}]', { tags: ['a'] })?.['tags'], ['a', 'web']);
  });
  it('accepts a single string and a nested target', () => {
    const out = apply('processors: [{add_tags: {tags: web, target: meta.labels}}]', base());
    assert.deepEqual(out?.['meta'], { labels: ['web'] });
  });
  it('does not share the configured list between events', () => {
    const p = chain('processors: [{add_tags: {tags: [web]}}]');
    const a = runProcessors(p, event({}))!;
    (a.fields['tags'] as string[]).push('x');
    assert.deepEqual(runProcessors(p, event({}))!.fields['tags'], ['web']);
  });
  it('leaves a non-list target alone and records an error', () => {
    const out = apply('processors: [{add_tags: {tags: [web]}}]', { tags: 'oops' });
    assert.equal(out?.['tags'], 'oops');
    assert.match((out?.['error'] as Record<string, string>)['message']!, /add_tags: cannot add tags to tags/);
  });
});

describe('rename', () => {
  it('renames top-level and nested fields, in order', () => {
    const out = apply('processors: [{rename: {fields: [{from: message, to: log.text}, {from: http.code, to: http.status}]}}]', base());
    assert.deepEqual(out, { type: 'log', beat: { name: 'b1', hostname: 'h1' }, http: { path: '/x', status: 200 }, log: { text: 'hello' } });
  });
  it('fails on a missing field by default and undoes the earlier renames', () => {
    const out = apply('processors: [{rename: {fields: [{from: message, to: msg}, {from: nope, to: x}]}}]', base());
    assert.equal(out?.['message'], 'hello');
    assert.equal(out?.['msg'], undefined);
    assert.match((out?.['error'] as Record<string, string>)['message']!, /rename: field nope is missing/);
  });
  it('skips missing fields with ignore_missing', () => {
    const out = apply('processors: [{rename: {ignore_missing: true, fields: [{from: nope, to: x}, {from: message, to: msg}]}}]', base());
    assert.equal(out?.['msg'], 'hello');
    assert.equal(out?.['error'], undefined);
  });
  it('undo does not touch a pre-existing target of a skipped pair', () => {
    const yaml = 'processors: [{rename: {ignore_missing: true, fields: [{from: nope, to: x}, {from: message, to: type}]}}]';
    const out = apply(yaml, { ...base(), x: 'pre' });
    assert.equal(out?.['x'], 'pre');
    assert.equal(out?.['nope'], undefined);
    assert.equal(out?.['message'], 'hello');
    assert.match((out?.['error'] as Record<string, string>)['message']!, /target field type already exists/);
  });
  it('refuses to overwrite; with fail_on_error false it skips the pair and goes on', () => {
    const yaml = 'processors: [{rename: {fail_on_error: false, fields: [{from: message, to: type}, {from: http.path, to: url}]}}]';
    const out = apply(yaml, base());
    assert.equal(out?.['type'], 'log');
    assert.equal(out?.['message'], 'hello');
    assert.equal(out?.['url'], '/x');
    assert.equal(out?.['error'], undefined);
  });
});

describe('chain', () => {
  it('runs processors in order and an empty chain passes events through', () => {
    const yaml = `
processors:
  - add_fields: {target: '', fields: {level: error}}
  - rename: {fields: [{from: level, to: log.level}]}
  - drop_fields: {fields: [beat]}
`;
    assert.deepEqual(apply(yaml, { type: 'log' }), { type: 'log', log: { level: 'error' } });
    assert.deepEqual(apply('processors: []', { a: 1 }), { a: 1 });
    assert.deepEqual(apply('other: 1', { a: 1 }), { a: 1 });
  });
  it('accepts the pre-5.0 name filters:', () => {
    assert.deepEqual(apply('filters: [{drop_fields: {fields: [a]}}]', { a: 1, b: 2 }), { b: 2 });
  });
});
