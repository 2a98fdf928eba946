// How a memcache event must look for a row of the captures' expected.json (used by the direct and the engine tests).
import assert from 'node:assert/strict';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';

type Obj = Record<string, unknown>;

/** Checks one memcache event against one expected.json row (shared with the engine-driven test). */
export function assertMemcacheMatches(ev: BeatEvent, exp: Obj, i: number, frames: boolean): void {
  const f = ev.fields;
  const mc = f['memcache'] as Obj;
  const req = (mc['request'] ?? {}) as Obj;
  const resp = mc['response'] as Obj | undefined;
  const at = `transaction ${i} (${String(exp['query'] ?? exp['method'])})`;
  assert.equal(f['type'], 'memcache', at);
  assert.equal(f['transport'], exp['transport'], at);
  assert.equal(f['client_ip'], exp['client_ip'], at);
  assert.equal(f['client_port'], exp['client_port'], at);
  assert.equal(f['ip'], exp['server_ip'], at);
  assert.equal(f['port'], exp['port'], at);
  assert.equal(f['method'], exp['method'], at);
  assert.equal(f['status'], exp['status'], at);
  assert.equal(mc['protocol_type'], exp['protocol_type'], at);
  assert.deepEqual(req['keys'], exp['keys'], at);
  if (exp['query'] !== undefined) assert.equal(f['query'], exp['query'], at);
  if (exp['noreply'] !== undefined) assert.equal(req['noreply'], exp['noreply'], at);
  if (exp['quiet'] !== undefined) assert.equal(req['quiet'], exp['quiet'], at);
  if (exp['opcode'] !== undefined) {
    assert.equal(req['opcode_value'], exp['opcode'], at);
    assert.equal(req['opaque'], exp['opaque'], at);
  }
  if (exp['response'] === null) assert.equal(resp, undefined, at);
  else {
    assert.ok(resp, at);
    if (exp['protocol_type'] === 'binary') {
      assert.equal(resp['status'], exp['response'], at);
      assert.equal(resp['status_code'], exp['response_status'], at);
    } else assert.equal(resp['command'], exp['response'], at);
    if (exp['protocol_type'] === 'text') assert.equal(resp['count_values'], exp['count_values'], at);
    assert.equal(resp['value'], exp['value'], at);
    if (exp['protocol_type'] === 'text') assert.equal(resp['error_msg'], exp['error_msg'], at);
  }
  if (exp['value_bytes'] !== undefined) {
    const bytes = exp['protocol_type'] === 'binary' ? resp?.['bytes'] : req['bytes'];
    assert.equal(bytes, exp['value_bytes'], at);
  }
  if (frames) {
    assert.equal(ev.timestamp.getTime() / 1000, exp['request_frame'], at);
    const rf = exp['response_frame'] as number | undefined;
    assert.equal(f['responsetime'], rf === undefined ? undefined : (rf - (exp['request_frame'] as number)) * 1000, at);
  }
}
