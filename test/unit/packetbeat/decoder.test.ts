import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketDecoder } from '../../../src/beats/packetbeat/decoder/decode.js';
import { ipv6Text } from '../../../src/beats/packetbeat/decoder/ip-text.js';
import { runCaptureWith } from '../../support/packetbeat/run-capture.js';
import { testProtocols } from '../../support/packetbeat/test-protocols.js';
import { bsdNull, ethernet, ipv6, sll, tcpIp, udpDatagram, udpIp } from '../../support/packetbeat/frames.js';
import { writeTempCapture } from '../../support/packetbeat/temp-pcap.js';
import { seeded } from '../../support/packetbeat/rng.js';

const udp = { src: '10.0.0.1', dst: '10.0.0.2', sport: 5353, dport: 15353, payload: 'hello dns' };

test('UDP over every link type', () => {
  const d = new PacketDecoder();
  const ip = udpIp(udp)[0]!;
  for (const [lt, frame] of [
    [1, ethernet(ip)],
    [1, ethernet(ip, [5])],
    [1, ethernet(ip, [5, 6])],
    [113, sll(ip)],
    [0, bsdNull(ip)],
    [101, ip],
    [228, ip],
  ] as const) {
    const p = d.decode({ ts: 1, linkType: lt, data: frame, origLen: frame.length });
    assert.ok(p, `link type ${lt}`);
    assert.equal(p.srcIp, '10.0.0.1');
    assert.equal(p.dstPort, 15353);
    assert.equal(p.payload.toString(), 'hello dns');
  }
  // SLL2 and OpenBSD loop
  const sll2 = Buffer.concat([Buffer.from([0x08, 0x00]), Buffer.alloc(18), ip]);
  assert.equal(d.decode({ ts: 1, linkType: 276, data: sll2, origLen: sll2.length })?.payload.toString(), 'hello dns');
  const loop = Buffer.concat([Buffer.from([0, 0, 0, 2]), ip]);
  assert.equal(d.decode({ ts: 1, linkType: 108, data: loop, origLen: loop.length })?.payload.toString(), 'hello dns');
});

test('Ethernet padding after a short IP packet is not payload', () => {
  const d = new PacketDecoder();
  const frame = Buffer.concat([ethernet(udpIp({ ...udp, payload: 'x' })[0]!), Buffer.alloc(20)]);
  assert.equal(d.decode({ ts: 1, linkType: 1, data: frame, origLen: frame.length })?.payload.toString(), 'x');
});

test('IPv6 with extension headers and IPv6 text form', () => {
  const d = new PacketDecoder();
  const dgram = udpDatagram({ ...udp, src: '::1', dst: '::1' });
  // hop-by-hop (8 bytes) then UDP
  const hbh = Buffer.alloc(8);
  hbh[0] = 17;
  const pkt = ipv6('fe80::1', '2001:db8:0:0:1:0:0:1', 0, Buffer.concat([hbh, dgram]));
  const p = d.decode({ ts: 1, linkType: 1, data: ethernet(pkt), origLen: 0 });
  assert.equal(p?.payload.toString(), 'hello dns');
  assert.equal(p?.srcIp, 'fe80::1');
  assert.equal(p?.dstIp, '2001:db8::1:0:0:1');
  assert.equal(ipv6Text(Buffer.alloc(16), 0), '::');
});

test('IPv4 fragments are reassembled, in any order', async () => {
  const big = Buffer.alloc(3000);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  const frags = udpIp({ ...udp, payload: big }, 1000).map((ip) => ethernet(ip));
  assert.equal(frags.length, 4);
  const d = new PacketDecoder();
  const order = [2, 0, 3, 1];
  let out: Buffer | undefined;
  for (const i of order) {
    const p = d.decode({ ts: 1, linkType: 1, data: frags[i]!, origLen: 0 });
    if (p) out = p.payload;
  }
  assert.deepEqual(out, big);
  assert.equal(d.stats.reassembled, 1);
  assert.equal(d.defrag.size, 0);
  // through the engine with the datagrams test protocol
  const ev = await runCaptureWith(testProtocols(), writeTempCapture(1, frags), { datagrams: { ports: [15353] } });
  assert.equal(ev.length, 1);
  assert.equal((ev[0]!.fields['datagrams'] as { payload: string }).payload, big.toString('latin1'));
});

test('incomplete fragments expire and memory stays bounded', () => {
  const d = new PacketDecoder({ timeoutMs: 1000, maxBytes: 64 * 1024, maxDatagrams: 10 });
  for (let i = 0; i < 500; i++) {
    const frags = udpIp({ ...udp, payload: Buffer.alloc(4000) }, 1000);
    d.decode({ ts: i, linkType: 101, data: frags[0]!, origLen: 0 }); // first fragment only
  }
  assert.ok(d.defrag.size <= 10);
  assert.ok(d.defrag.bufferedBytes <= 64 * 1024);
  d.decode({ ts: 10_000, linkType: 101, data: udpIp({ ...udp, payload: Buffer.alloc(4000) }, 1000)[1]!, origLen: 0 });
  assert.equal(d.defrag.size, 1);
});

test('UDP dispatch: responses go to the protocol with dir 1, other ports ignored', async () => {
  const frames = [
    ethernet(udpIp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 15353, payload: 'q' })[0]!),
    ethernet(udpIp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 15353, dport: 40000, payload: 'r' })[0]!),
    ethernet(udpIp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 999, dport: 998, payload: 'x' })[0]!),
    ethernet(tcpIp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 15353, dport: 40000, seq: 1, flags: 0x18, payload: 'tcp' })),
  ];
  const ev = await runCaptureWith(testProtocols(), writeTempCapture(1, frames), { datagrams: { ports: [15353] } });
  assert.deepEqual(
    ev.map((e) => [e.fields['client_port'], e.fields['port'], (e.fields['datagrams'] as { dir: number }).dir]),
    [
      [40000, 15353, 0],
      [40000, 15353, 1],
    ],
  );
});

test('hostile frames never throw', () => {
  const rnd = seeded(7);
  const d = new PacketDecoder();
  const base = [
    ethernet(tcpIp({ src: '1.2.3.4', dst: '5.6.7.8', sport: 1, dport: 2, seq: 3, flags: 0x18, payload: 'abc' })),
    ethernet(udpIp(udp)[0]!),
    ethernet(ipv6('::1', '::2', 6, Buffer.alloc(30))),
  ];
  for (let i = 0; i < 20000; i++) {
    const f = Buffer.from(base[i % base.length]!);
    for (let k = 0; k < 4; k++) f[Math.floor(rnd() * f.length)] = Math.floor(rnd() * 256);
    const cut = f.subarray(0, Math.floor(rnd() * (f.length + 1)));
    const lt = [0, 1, 101, 113, 276, 108, 228, 229][i % 8]!;
    d.decode({ ts: i, linkType: lt, data: cut, origLen: f.length });
  }
  assert.ok(d.stats.malformed > 0);
});
