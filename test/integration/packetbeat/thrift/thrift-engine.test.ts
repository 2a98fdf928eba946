// The thrift captures through the whole Packetbeat engine, with the IDL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCapture } from '../../../support/packetbeat/run-capture.js';
import { assertThriftMatches, CALCULATOR_IDL } from './thrift-expect.js';
import { CAPTURES, loadExpected } from '../redis/pcap-feed.js';

for (const [name, port, transport] of [['thrift_unframed', 19090, 'socket'], ['thrift_framed', 19091, 'framed']] as const) {
  test(`engine: ${name}.pcap gives the 8 expected transactions`, async () => {
    const events = await runCapture(`${CAPTURES}/${name}.pcap`, {
      thrift: { ports: [port], transport_type: transport, idl_files: [CALCULATOR_IDL] },
    });
    const expected = loadExpected(name);
    assert.equal(events.length, expected.length);
    expected.forEach((exp, i) => assertThriftMatches(events[i]!, exp, i, false));
  });
}
