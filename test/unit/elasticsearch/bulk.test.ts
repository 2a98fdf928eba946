import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BulkEncoder, DailyIndex } from '../../../src/libbeat/outputs/elasticsearch/bulk-encoder.js';
import { classifyStatus, parseBulkResponse } from '../../../src/libbeat/outputs/elasticsearch/bulk-response.js';
import { parseVersion, typeMode, atLeast } from '../../../src/libbeat/outputs/elasticsearch/version.js';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';

const ev = (iso: string, fields: Record<string, unknown>, meta?: BeatEvent['meta']): BeatEvent => ({ timestamp: new Date(iso), fields, ...(meta ? { meta } : {}) });

describe('elasticsearch bulk encoding', () => {
  it('names daily indices from @timestamp in UTC', () => {
    const d = new DailyIndex('filebeat');
    assert.equal(d.nameFor(Date.parse('2026-12-01T23:59:59.999Z')), 'filebeat-2026.12.01');
    assert.equal(d.nameFor(Date.parse('2026-12-02T00:00:00.000Z')), 'filebeat-2026.12.02');
    assert.equal(d.nameFor(Date.parse('2026-12-01T00:00:00.000Z')), 'filebeat-2026.12.01');
    assert.equal(d.nameFor(Date.parse('1999-01-09T12:00:00+05:00')), 'filebeat-1999.01.09');
    assert.equal(d.nameFor(Date.parse('2027-03-05T01:00:00+03:00')), 'filebeat-2027.03.04');
  });

  it('writes NDJSON with _type only when the cluster wants it', () => {
    const events = [ev('2026-12-01T10:00:00Z', { type: 'log', message: 'a' }), ev('2026-12-02T10:00:00Z', { type: 'http', n: 1 })];
    const none = new BulkEncoder({ index: 'fb', types: 'none' }).encode(events);
    assert.equal(
      none.body.toString(),
      '{"index":{"_index":"fb-2026.12.01"}}\n{"@timestamp":"2026-12-01T10:00:00.000Z","type":"log","message":"a"}\n' +
        '{"index":{"_index":"fb-2026.12.02"}}\n{"@timestamp":"2026-12-02T10:00:00.000Z","type":"http","n":1}\n',
    );
    const typed = new BulkEncoder({ index: 'fb', types: 'event' }).encode(events).body.toString().split('\n');
    assert.equal(typed[0], '{"index":{"_index":"fb-2026.12.01","_type":"log"}}');
    assert.equal(typed[2], '{"index":{"_index":"fb-2026.12.02","_type":"http"}}');
    const doc = new BulkEncoder({ index: 'fb', types: 'doc', pipeline: 'p1' }).encode(events).body.toString().split('\n');
    assert.equal(doc[0], '{"index":{"_index":"fb-2026.12.01","_type":"doc","pipeline":"p1"}}');
  });

  it('honours per-event index and pipeline, and leaves out events JSON cannot encode', () => {
    const cyclic: Record<string, unknown> = { type: 'x' };
    cyclic['self'] = cyclic;
    const events = [ev('2026-12-01T10:00:00Z', { a: 1 }, { index: 'special', pipeline: 'pp' }), ev('2026-12-01T10:00:00Z', cyclic), ev('2026-12-01T10:00:00Z', { big: 1n })];
    const r = new BulkEncoder({ index: 'fb', types: 'none' }).encode(events);
    assert.equal(r.body.toString().split('\n')[0], '{"index":{"_index":"special","pipeline":"pp"}}');
    assert.equal(r.sent.length, 1);
    assert.equal(r.unencodable.length, 2);
  });

  it('writes UTF-8, empty documents, and grows its buffer for big batches', () => {
    const enc = new BulkEncoder({ index: 'fb', types: 'none' });
    const small = enc.encode([ev('2026-12-01T10:00:00Z', { msg: 'h\u00e9llo \u4e16\u754c \ud83d\ude00' }), ev('2026-12-01T10:00:00Z', {})]).body.toString();
    assert.equal(
      small,
      '{"index":{"_index":"fb-2026.12.01"}}\n{"@timestamp":"2026-12-01T10:00:00.000Z","msg":"h\u00e9llo \u4e16\u754c \ud83d\ude00"}\n' +
        '{"index":{"_index":"fb-2026.12.01"}}\n{"@timestamp":"2026-12-01T10:00:00.000Z"}\n',
    );
    const big = Array.from({ length: 3000 }, (_, i) => ev('2026-12-01T10:00:00Z', { i, pad: 'x'.repeat(200) }));
    const lines = enc.encode(big).body.toString().trimEnd().split('\n');
    assert.equal(lines.length, 6000);
    assert.deepEqual(JSON.parse(lines[5999]!), { '@timestamp': '2026-12-01T10:00:00.000Z', i: 2999, pad: 'x'.repeat(200) });
  });
});

describe('elasticsearch bulk response', () => {
  it('classifies statuses as Beats does', () => {
    assert.equal(classifyStatus(200), 'ok');
    assert.equal(classifyStatus(201), 'ok');
    assert.equal(classifyStatus(409), 'ok');
    assert.equal(classifyStatus(429), 'retry');
    assert.equal(classifyStatus(500), 'retry');
    assert.equal(classifyStatus(503), 'retry');
    assert.equal(classifyStatus(400), 'drop');
    assert.equal(classifyStatus(404), 'drop');
  });

  it('reads an error-free response without parsing items', () => {
    const r = parseBulkResponse('{"took":3,"errors":false,"items":[garbage that is never parsed', 3);
    assert.deepEqual(r?.outcomes, ['ok', 'ok', 'ok']);
  });

  it('classifies each item and keeps the first reasons', () => {
    const body = JSON.stringify({
      took: 1,
      errors: true,
      items: [
        { index: { status: 201 } },
        { create: { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } } },
        { index: { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } } },
        { index: { status: 400, error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [n]' } } },
        { index: { status: 503, error: 'shard down' } },
        { index: {} },
      ],
    });
    const r = parseBulkResponse(body, 7)!;
    assert.deepEqual(r.outcomes, ['ok', 'ok', 'retry', 'drop', 'retry', 'retry', 'retry']);
    assert.equal(r.firstDropReason, 'status 400, mapper_parsing_exception: failed to parse field [n]');
    assert.equal(r.firstRetryReason, 'status 429, es_rejected_execution_exception: queue full');
    assert.equal(parseBulkResponse('<html>', 1), undefined);
    assert.equal(parseBulkResponse('{"error":"x"}', 1), undefined);
  });

  it('reads versions and knows which want _type', () => {
    assert.deepEqual(parseVersion('8.11.1'), { major: 8, minor: 11, patch: 1, text: '8.11.1' });
    assert.equal(parseVersion('7.17.0-SNAPSHOT')?.minor, 17);
    assert.equal(parseVersion('2.11.0', 'opensearch')?.major, 7);
    assert.equal(parseVersion('nope'), undefined);
    assert.equal(typeMode(parseVersion('1.7.5')!), 'event');
    assert.equal(typeMode(parseVersion('5.6.16')!), 'event');
    assert.equal(typeMode(parseVersion('6.8.0')!), 'doc');
    assert.equal(typeMode(parseVersion('7.0.0')!), 'none');
    assert.equal(typeMode(parseVersion('9.0.0')!), 'none');
    assert.equal(atLeast(parseVersion('7.8.0')!, 7, 8), true);
    assert.equal(atLeast(parseVersion('7.7.9')!, 7, 8), false);
  });
});
