import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { runCaptureWith } from '../../support/packetbeat/run-capture.js';
import { testProtocols } from '../../support/packetbeat/test-protocols.js';

const CAPTURES = '/work/shared/captures';
const TCP_PORTS = [18080, 13306, 15432, 16379, 21211, 15353, 19090, 19091];
const UDP_PORTS = [15353, 21211];

interface Row {
  [k: string]: string;
}

const FIELDS = ['ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.len', 'udp.srcport'];

/** tshark's per-frame dump of the fields the oracle needs (the shipped .tsv files list only application frames). */
function tshark(file: string): Promise<Row[] | undefined> {
  return new Promise((resolve) => {
    execFile('tshark', ['-n', '-r', file, '-T', 'fields', '-E', 'header=y', ...FIELDS.flatMap((f) => ['-e', f])], { maxBuffer: 64 << 20 }, (err, stdout) => {
      resolve(err ? undefined : parseTsv(stdout));
    });
  });
}

function parseTsv(text: string): Row[] {
  const [head, ...lines] = text.split('\n').filter((l) => l !== '');
  const cols = head!.split('\t');
  return lines.map((l) => {
    const v = l.split('\t');
    const r: Row = {};
    cols.forEach((c, i) => (r[c] = v[i] ?? ''));
    return r;
  });
}

const files = (() => {
  try {
    return readdirSync(CAPTURES).filter((f) => f.endsWith('.pcap'));
  } catch {
    return [];
  }
})();

test('shared captures are present', (t) => {
  if (files.length === 0) t.skip(`no captures in ${CAPTURES}`);
});

// All tshark runs start at once (each takes ~1 s of startup).
const oracles = new Map(files.map((f) => [f, tshark(join(CAPTURES, f))]));

for (const f of files) {
  test(`engine reassembles every stream of ${f} like tshark`, async (t) => {
    const rows = await oracles.get(f);
    if (rows === undefined) return t.skip('tshark not installed: no oracle');
    // oracle: payload bytes per tcp stream and direction, datagram count per UDP flow
    const expected = new Map<string, { client: number; server: number }>();
    let udpExpected = 0;
    for (const r of rows) {
      const src = r['ip.src'] || r['ipv6.src']!;
      if (r['tcp.stream'] !== '' && r['tcp.stream'] !== undefined) {
        const sport = Number(r['tcp.srcport']);
        const dport = Number(r['tcp.dstport']);
        const fromClient = TCP_PORTS.includes(dport) && !TCP_PORTS.includes(sport);
        const clientKey = fromClient ? `${src}|${sport}` : `${r['ip.dst'] || r['ipv6.dst']}|${dport}`;
        const e = expected.get(clientKey) ?? { client: 0, server: 0 };
        if (fromClient) e.client += Number(r['tcp.len'] || 0);
        else e.server += Number(r['tcp.len'] || 0);
        expected.set(clientKey, e);
      } else if (r['udp.srcport']) udpExpected++;
    }
    const events = await runCaptureWith(testProtocols(), join(CAPTURES, f), {
      streams: { ports: TCP_PORTS },
      datagrams: { ports: UDP_PORTS },
    });
    const streams = events.filter((e) => e.fields['type'] === 'streams');
    const got = new Map<string, { client: number; server: number }>();
    for (const e of streams) {
      const k = `${e.fields['client_ip']}|${e.fields['client_port']}`;
      const s = e.fields['streams'] as { gaps: number[] };
      assert.deepEqual(s.gaps, [], `no gaps in ${k}`);
      const prev = got.get(k) ?? { client: 0, server: 0 };
      got.set(k, { client: prev.client + (e.fields['bytes_in'] as number), server: prev.server + (e.fields['bytes_out'] as number) });
    }
    // connections without payload (none expected in these captures) are not reported
    for (const [k, v] of expected) if (v.client === 0 && v.server === 0) expected.delete(k);
    assert.deepEqual(Object.fromEntries(got), Object.fromEntries(expected));
    const datagrams = events.filter((e) => e.fields['type'] === 'datagrams');
    assert.equal(datagrams.length, udpExpected);
    for (const e of events) assert.equal(e.fields['direction'], 'in', 'loopback: this host is the server');
  });
}
