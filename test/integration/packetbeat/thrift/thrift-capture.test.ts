// thrift_unframed.pcap (port 19090, socket transport) and thrift_framed.pcap (19091, framed) decoded by the thrift
// plugin fed straight from the pcaps, with and without the IDL: every expected transaction with its frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigNode } from '../../../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../../../src/libbeat/common/event.js';
import { createThriftProtocol } from '../../../../src/beats/packetbeat/protos/thrift/index.js';
import { assertThriftMatches, CALCULATOR_IDL } from './thrift-expect.js';
import { CAPTURES, collectingContext, feedFrames, loadExpected, readPcap } from '../redis/pcap-feed.js';

type Obj = Record<string, unknown>;

function run(name: string, cfg: Obj): BeatEvent[] {
  const events: BeatEvent[] = [];
  feedFrames(createThriftProtocol(new ConfigNode(cfg), collectingContext(events)), readPcap(`${CAPTURES}/${name}.pcap`), { frameClock: true });
  return events;
}

for (const [name, port, transport] of [['thrift_unframed', 19090, 'socket'], ['thrift_framed', 19091, 'framed']] as const) {
  for (const withIdl of [false, true]) {
    test(`${name}.pcap (${transport}${withIdl ? ', IDL' : ''}): 8 transactions as expected`, () => {
      const events = run(name, { ports: [port], transport_type: transport, ...(withIdl ? { idl_files: [CALCULATOR_IDL] } : {}) });
      const expected = loadExpected(name);
      assert.equal(events.length, expected.length);
      expected.forEach((exp, i) => assertThriftMatches(events[i]!, exp, i, true));
      const calc = events[2]!.fields;
      const t = calc['thrift'] as Obj;
      if (withIdl) {
        assert.equal(t['params'], '(logid: 1, w: (num1: 100, num2: 7, op: 3, comment: "seven hundred"))');
        assert.equal(calc['path'], 'Calculator');
        assert.equal(t['service'], 'Calculator');
        assert.equal((events[3]!.fields['thrift'] as Obj)['exceptions'], '(ouch: (whatOp: 4, why: "Cannot divide by 0"))');
        assert.equal((events[5]!.fields['thrift'] as Obj)['return_value'], '[0, 1, 2, 3, 4]');
      } else {
        assert.equal(t['params'], '(1: 1, 2: (1: 100, 2: 7, 3: 3, 4: "seven hundred"))');
        assert.equal(calc['query'], 'calculate(1: 1, 2: (1: 100, 2: 7, 3: 3, 4: "seven hundred"))');
      }
    });
  }
}

test('the transport is recognised from the strict header whatever transport_type says', () => {
  const events = run('thrift_framed', { ports: [19091], transport_type: 'socket' });
  assert.equal(events.length, 8);
  assert.equal((events[1]!.fields['thrift'] as Obj)['return_value'], '42');
});

test('string_max_size, collection_max_size, obfuscate_strings, capture_reply', () => {
  const base = { ports: [19090] };
  const small = run('thrift_unframed', { ...base, string_max_size: 5, collection_max_size: 2 });
  assert.equal((small[4]!.fields['thrift'] as Obj)['params'], '(1: "hello"...)');
  assert.equal((small[5]!.fields['thrift'] as Obj)['return_value'], '[0, 1, ...]');
  const obf = run('thrift_unframed', { ...base, obfuscate_strings: true });
  assert.equal((obf[4]!.fields['thrift'] as Obj)['params'], '(1: "*")');
  const noReply = run('thrift_unframed', { ...base, capture_reply: false });
  assert.equal(noReply.length, 8);
  assert.equal((noReply[1]!.fields['thrift'] as Obj)['return_value'], undefined);
  assert.deepEqual(noReply.map((e) => e.fields['status']), loadExpected('thrift_unframed').map((e) => e['status']));
  const dropped = run('thrift_unframed', { ...base, drop_after_n_struct_fields: 2 });
  // calculate(1, Work{4 fields}) has more than 2 fields in a struct: both calculate transactions are ignored.
  assert.deepEqual(dropped.map((e) => e.fields['method']), ['ping', 'add', 'echo', 'range', 'zip', 'noSuchMethod']);
});
