// How a redis event must look for a row of the captures' expected.json (used by the direct and the engine tests).
import assert from 'node:assert/strict';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';

/** Checks one redis event against one expected.json row (shared with the engine-driven test). */
export function assertRedisMatches(ev: BeatEvent, exp: Record<string, unknown>, i: number, frames: boolean): void {
  const f = ev.fields;
  const r = f['redis'] as Record<string, unknown>;
  const at = `transaction ${i} (${String(exp['query'])})`;
  assert.equal(f['type'], 'redis', at);
  assert.equal(f['client_ip'], exp['client_ip'], at);
  assert.equal(f['client_port'], exp['client_port'], at);
  assert.equal(f['ip'], exp['server_ip'], at);
  assert.equal(f['port'], exp['port'], at);
  assert.equal(f['method'], exp['method'], at);
  assert.equal(f['path'], exp['path'], at);
  const q = String(exp['query']);
  assert.equal(String(f['query']).slice(0, q.length), q, at);
  assert.equal(f['status'], exp['status'], at);
  assert.equal(r['reply_type'], exp['reply_type'], at);
  const rv = exp['return_value'];
  if (exp['reply_type'] === 'error') assert.equal(r['error'], rv, at);
  else if (exp['reply_type'] === 'nil') assert.equal(r['return_value'], 'nil', at);
  else if (exp['reply_type'] === 'array') assert.equal(r['array_length'], exp['array_length'], at);
  else if (typeof rv === 'string' && /^<\d+ bytes>$/.test(rv)) {
    const n = Number(rv.slice(1, -7));
    assert.ok(Buffer.byteLength(String(r['return_value'])) >= Math.min(n, 1024), at);
  } else assert.equal(r['return_value'], String(rv), at);
  if (frames) {
    assert.equal(ev.timestamp.getTime() / 1000, exp['request_frame'], at);
    assert.equal(f['responsetime'], ((exp['response_frame'] as number) - (exp['request_frame'] as number)) * 1000, at);
  }
}
