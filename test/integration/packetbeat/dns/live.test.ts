import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, connect } from 'node:net';
import { decodeDns } from '../../../../src/beats/packetbeat/protos/dns/decoder.js';
import { message, query } from '../../../unit/packetbeat/protos/dns/build.js';
import { liveMissing, readEvents, sniffWhile, writeConfig } from '../http/cli-harness.js';

/** A tiny authoritative server for `live.test`: `www` has an A record, everything else is NXDOMAIN. */
function answer(q: Buffer): Buffer {
  const m = decodeDns(q);
  const name = m?.questions[0]?.name ?? '';
  const found = name === 'www.live.test';
  return message({
    id: m?.id ?? 0,
    flags: 0x8580 | (found ? 0 : 3),
    questions: [{ name, type: 1 }],
    answers: found ? [{ name, type: 1, ttl: 30, rdata: Buffer.from([127, 0, 0, 10]) }] : [],
  });
}

test('live capture on lo: DNS over UDP and TCP between Node sockets becomes DNS transactions', async (t) => {
  const why = liveMissing();
  if (why !== undefined) return t.skip(why);
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(answer(msg), rinfo.port, rinfo.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const port = udp.address().port;
  const tcp = createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const a = answer(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(a.length);
        sock.write(Buffer.concat([prefix, a]));
      }
    });
  });
  // Same port number over TCP when it is free (the usual DNS setup); skip the TCP part otherwise.
  const tcpOk = await new Promise<boolean>((r) => {
    tcp.once('error', () => r(false));
    tcp.listen(port, '127.0.0.1', () => r(true));
  });
  const { cfg, out } = writeConfig(`  dns:\n    ports: [${port}]\n`, 'interfaces:\n  device: lo\n');
  const { result, stderr } = await sniffWhile(cfg, async () => {
    const client = createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', r));
    for (const [id, name] of [[101, 'www.live.test'], [102, 'nope.live.test']] as const) {
      await new Promise<void>((resolve) => {
        client.once('message', () => resolve());
        client.send(query(id, name), port, '127.0.0.1');
      });
    }
    client.close();
    if (tcpOk) {
      await new Promise<void>((resolve, reject) => {
        const c = connect(port, '127.0.0.1', () => {
          const q = query(201, 'www.live.test');
          const prefix = Buffer.alloc(2);
          prefix.writeUInt16BE(q.length);
          c.write(Buffer.concat([prefix, q]));
        });
        c.on('data', () => c.end());
        c.on('close', () => resolve());
        c.on('error', reject);
      });
    }
  });
  udp.close();
  tcp.close();
  assert.ok(result, `packetbeat did not stop after SIGINT: ${stderr}`);
  assert.equal(result.code, 0, stderr);
  const events = readEvents(out).filter((e) => e['type'] === 'dns');
  const summary = events.map((e) => {
    const dns = (e['dns'] ?? {}) as Record<string, unknown>;
    const answers = (dns['answers'] ?? []) as Array<Record<string, unknown>>;
    return `${String(e['transport'])} ${String(dns['id'])} ${String(e['query'])} ${String(dns['response_code'])} ${String(e['status'])} ${answers.map((a) => a['data']).join(',')}`;
  });
  const expected = [
    'udp 101 class IN, type A, www.live.test NOERROR OK 127.0.0.10',
    'udp 102 class IN, type A, nope.live.test NXDOMAIN Error ',
    ...(tcpOk ? ['tcp 201 class IN, type A, www.live.test NOERROR OK 127.0.0.10'] : []),
  ];
  assert.deepEqual(summary, expected, stderr);
  for (const e of events) assert.equal(e['port'], port);
});
