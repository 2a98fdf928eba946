import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BeatEvent } from '../../../src/libbeat/common/event.js';
import { runCaptureWith } from '../../support/packetbeat/run-capture.js';
import { testProtocols } from '../../support/packetbeat/test-protocols.js';
import { ACK, Conversation, FIN, PSH, RST, SYN, bsdNull, ethernet, sll, tcpIp, type TcpSpec } from '../../support/packetbeat/frames.js';
import { writeTempCapture } from '../../support/packetbeat/temp-pcap.js';

const client = { ip: '127.0.0.1', port: 40000 };
const server = { ip: '127.0.0.1', port: 7777 };
const LINE = { line: { ports: [7777] } };
const STREAMS = { streams: { ports: [7777] } };

function frames(specs: readonly TcpSpec[], wrap: (ip: Buffer) => Buffer = (ip) => ethernet(ip)): Buffer[] {
  return specs.map((s) => wrap(tcpIp(s)));
}

async function run(specs: readonly TcpSpec[], protocols: Record<string, Record<string, unknown>> = LINE, opts: Parameters<typeof runCaptureWith>[3] = {}, linkType = 1, wrap?: (ip: Buffer) => Buffer): Promise<BeatEvent[]> {
  return runCaptureWith(testProtocols(), writeTempCapture(linkType, frames(specs, wrap)), protocols, opts);
}

function summary(events: BeatEvent[]): string[] {
  return events.map((e) => `${e.fields['query'] ?? '-'} => ${(e.fields['line'] as { response?: string }).response ?? '-'} ${e.fields['status']}${e.fields['notes'] ? ' ' + JSON.stringify(e.fields['notes']) : ''}`);
}

function streamOf(events: BeatEvent[]): { request: string; response: string; gaps: number[]; fins: number[]; conn_id: number }[] {
  return events.filter((e) => e.fields['type'] === 'streams').map((e) => e.fields['streams'] as { request: string; response: string; gaps: number[]; fins: number[]; conn_id: number });
}

function basic(): Conversation {
  return new Conversation(client, server).handshake().client_('GET a\n').server_('OK a\n').client_('GET b\nGET ').client_('c\n').server_('OK b\nOK c\n').close();
}

test('in-order conversation: requests paired with responses, fields filled', async () => {
  const events = await run(basic().segments);
  assert.deepEqual(summary(events), ['GET a => OK a OK', 'GET b => OK b OK', 'GET c => OK c OK']);
  const e = events[0]!;
  assert.equal(e.fields['client_ip'], '127.0.0.1');
  assert.equal(e.fields['client_port'], 40000);
  assert.equal(e.fields['port'], 7777);
  assert.equal(e.fields['transport'], 'tcp');
  assert.equal(e.fields['responsetime'], 1);
  assert.equal(e.fields['direction'], 'in');
});

test('same result over VLAN, QinQ, Linux SLL, BSD null, IPv6 and pcapng', async () => {
  const want = ['GET a => OK a OK', 'GET b => OK b OK', 'GET c => OK c OK'];
  assert.deepEqual(summary(await run(basic().segments, LINE, {}, 1, (ip) => ethernet(ip, [100]))), want);
  assert.deepEqual(summary(await run(basic().segments, LINE, {}, 1, (ip) => ethernet(ip, [10, 20]))), want);
  assert.deepEqual(summary(await run(basic().segments, LINE, {}, 113, sll)), want);
  assert.deepEqual(summary(await run(basic().segments, LINE, {}, 0, bsdNull)), want);
  const v6 = new Conversation({ ip: '::1', port: 40000 }, { ip: '2001:db8::7', port: 7777 }).handshake().client_('GET a\n').server_('OK a\n').close();
  const ev6 = await run(v6.segments);
  assert.deepEqual(summary(ev6), ['GET a => OK a OK']);
  assert.equal(ev6[0]!.fields['ip'], '2001:db8::7');
  const ng = writeTempCapture(1, frames(basic().segments), { format: 'pcapng' });
  assert.deepEqual(summary(await runCaptureWith(testProtocols(), ng, LINE)), want);
});

test('out-of-order segments are buffered and delivered in order', async () => {
  const s = basic().segments;
  // swap "GET b\nGET " and "c\n"
  const i = s.findIndex((x) => x.payload === 'GET b\nGET ');
  const reordered = [...s];
  [reordered[i], reordered[i + 1]] = [reordered[i + 1]!, reordered[i]!];
  const ev = await run(reordered, STREAMS);
  const [st] = streamOf(ev);
  assert.equal(st!.request, 'GET a\nGET b\nGET c\n');
  assert.equal(st!.response, 'OK a\nOK b\nOK c\n');
  assert.deepEqual(st!.gaps, []);
  assert.deepEqual(summary(await run(reordered)), ['GET a => OK a OK', 'GET b => OK b OK', 'GET c => OK c OK']);
});

test('retransmissions (exact and overlapping) are dropped', async () => {
  const s = basic().segments;
  const i = s.findIndex((x) => x.payload === 'GET b\nGET ');
  const dup = { ...s[i]! };
  // overlapping: old bytes "GET " + new bytes "c\n"
  const overlap: TcpSpec = { ...s[i]!, seq: (s[i]!.seq + 6) >>> 0, payload: 'GET c\n' };
  const withRetrans = [...s.slice(0, i + 1), dup, overlap, ...s.slice(i + 1)];
  const [st] = streamOf(await run(withRetrans, STREAMS));
  assert.equal(st!.request, 'GET a\nGET b\nGET c\n');
  assert.deepEqual(st!.gaps, []);
});

test('a lost segment is reported as a gap once the peer acknowledges past it', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n').client_('LOST\n').client_('GET c\n').server_('OK a\n').close();
  const s = conv.segments.filter((x) => x.payload !== 'LOST\n');
  const [st] = streamOf(await run(s, STREAMS));
  assert.equal(st!.request, 'GET a\nGET c\n');
  assert.deepEqual(st!.gaps, [5]);
  assert.deepEqual(st!.fins, [0, 1]);
  // the line protocol sees the gap before the response
  const ev = await run(s);
  assert.deepEqual(summary(ev), ['GET a => OK a OK ["gap 5 in dir 0"]', 'GET c => - Error ["Response not found"]']);
});

test('a hole at the end of the stream is reported when the connection closes', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n').server_('OK a\n').server_('LOST').close();
  const s = conv.segments.filter((x) => x.payload !== 'LOST');
  const [st] = streamOf(await run(s, STREAMS));
  assert.deepEqual(st!.gaps, [-4]);
  assert.deepEqual(st!.fins.sort(), [0, 1]);
});

test('mid-stream pickup without handshake; server found by port', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n').server_('OK a\n').client_('GET b\n').server_('OK b\n');
  const s = conv.segments.slice(4); // starts with the server's response: server side is still port 7777
  const [st] = streamOf(await run(s, STREAMS));
  assert.equal(st!.request, 'GET b\n');
  assert.equal(st!.response, 'OK a\nOK b\n');
  const ev = await run(s, STREAMS);
  assert.equal(ev[0]!.fields['port'], 7777);
  assert.equal(ev[0]!.fields['client_port'], 40000);
});

test('sequence numbers wrap around 2^32', async () => {
  const conv = new Conversation(client, server, [0xfffffff0, 0xfffffffa]).handshake().client_('0123456789abcdef\n').server_('a fairly long response\n').client_('again\n').server_('ok\n').close();
  const [st] = streamOf(await run(conv.segments, STREAMS));
  assert.equal(st!.request, '0123456789abcdef\nagain\n');
  assert.equal(st!.response, 'a fairly long response\nok\n');
  assert.deepEqual(st!.gaps, []);
});

test('RST closes the connection: pending requests are published at once', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n');
  const s = [...conv.segments, { src: server.ip, dst: client.ip, sport: server.port, dport: client.port, seq: 5001, ack: 0, flags: RST | ACK }];
  let sizeAtEnd = -1;
  const ev = await run(s, LINE, { inspect: (e) => (sizeAtEnd = e.tcp.size) });
  assert.equal(sizeAtEnd, 0, 'connection removed by RST before end of file');
  assert.deepEqual(summary(ev), ['GET a => - Error ["Response not found"]']);
});

test('idle connections are closed after the connection timeout; later data opens a new one', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n').server_('OK a\n');
  const early = conv.segments.length;
  conv.client_('GET b\n').server_('OK b\n');
  const specs = conv.segments;
  // 10 s between the two exchanges, timeout 2 s
  const file = writeTempCapture(1, frames(specs), { stepMs: 1 });
  void file;
  const fr = frames(specs);
  const packets = fr.map((data, i) => ({ ts: 1_700_000_000_000 + (i < early ? i : 10_000 + i), data }));
  const { buildPcap } = await import('../../../src/beats/packetbeat/pcap/writer.js');
  const { writeFileSync } = await import('node:fs');
  const path = file + '.gap.pcap';
  writeFileSync(path, buildPcap(1, packets));
  const ev = await runCaptureWith(testProtocols(), path, STREAMS, { engine: { tcp: { connectionTimeoutMs: 2000 } } });
  const st = streamOf(ev);
  assert.equal(st.length, 2);
  assert.equal(st[0]!.request, 'GET a\n');
  assert.equal(st[1]!.request, 'GET b\n');
  assert.notEqual(st[0]!.conn_id, st[1]!.conn_id);
});

test('out-of-order buffering is bounded: too many held segments turn into gaps', async () => {
  const conv = new Conversation(client, server).handshake().client_('HOLE');
  for (let i = 0; i < 50; i++) conv.client_(Buffer.alloc(1000, 0x61 + (i % 26)));
  conv.close();
  const s = conv.segments.filter((x) => x.payload !== 'HOLE');
  let maxBuffered = 0;
  const ev = await runCaptureWith(testProtocols(), writeTempCapture(1, frames(s)), STREAMS, {
    engine: { tcp: { stream: { maxSegments: 8, maxBytes: 1 << 20, maxWindow: 1 << 20 } } },
    inspect: (e) => (maxBuffered = e.tcp.budget.used),
  });
  const [st] = streamOf(ev);
  assert.deepEqual(st!.gaps, [4]);
  assert.equal(st!.request.length, 50_000);
  assert.equal(maxBuffered, 0);
});

test('connection count is bounded: the oldest connection is closed to make room', async () => {
  const specs: TcpSpec[] = [];
  for (let i = 0; i < 20; i++) {
    specs.push(...new Conversation({ ip: '10.0.0.1', port: 30000 + i }, server).handshake().client_(`GET ${i}\n`).segments);
  }
  let live = 0;
  let evicted = 0;
  const ev = await runCaptureWith(testProtocols(), writeTempCapture(1, frames(specs)), LINE, {
    engine: { tcp: { maxConnections: 5 } },
    inspect: (e) => {
      live = e.tcp.size;
      evicted = e.tcp.stats.evicted;
    },
  });
  assert.equal(live, 5);
  assert.equal(evicted, 15);
  assert.equal(ev.length, 20);
  assert.deepEqual(ev.map((e) => e.fields['query']), Array.from({ length: 20 }, (_, i) => `GET ${i}`));
});

test('SYN decides the server when both ports are protocol ports', async () => {
  const conv = new Conversation({ ip: '10.0.0.1', port: 7778 }, { ip: '10.0.0.2', port: 7777 }).handshake().client_('GET a\n').server_('OK a\n').close();
  const ev = await run(conv.segments, { line: { ports: [7777, 7778] } });
  assert.equal(ev[0]!.fields['port'], 7777);
  assert.equal(ev[0]!.fields['client_port'], 7778);
  // and the SYN-ACK alone (SYN not captured) too
  const ev2 = await run(conv.segments.slice(1), { line: { ports: [7777, 7778] } });
  assert.equal(ev2[0]!.fields['port'], 7777);
});

test('traffic on other ports is ignored, stray ACK/FIN do not open connections', async () => {
  const other = new Conversation({ ip: '10.0.0.1', port: 5555 }, { ip: '10.0.0.2', port: 80 }).handshake().client_('GET a\n').close();
  const stray: TcpSpec = { src: client.ip, dst: server.ip, sport: client.port, dport: server.port, seq: 1, ack: 1, flags: FIN | ACK };
  let size = -1;
  const ev = await run([...other.segments, stray, { ...stray, flags: ACK }], LINE, { inspect: (e) => (size = e.tcp.size) });
  assert.equal(ev.length, 0);
  assert.equal(size, 0);
});

test('direction out and shipper.ignore_outgoing for transactions this host started', async () => {
  const conv = new Conversation({ ip: '127.0.0.1', port: 40000 }, { ip: '192.0.2.10', port: 7777 }).handshake().client_('GET a\n').server_('OK a\n').close();
  const ev = await run(conv.segments);
  assert.equal(ev[0]!.fields['direction'], 'out');
  assert.equal((await run(conv.segments, LINE, { ignoreOutgoing: true })).length, 0);
  // a remote client talking to this host is kept
  const inbound = new Conversation({ ip: '192.0.2.10', port: 40000 }, { ip: '127.0.0.1', port: 7777 }).handshake().client_('GET a\n').server_('OK a\n').close();
  const ev2 = await run(inbound.segments, LINE, { ignoreOutgoing: true });
  assert.equal(ev2.length, 1);
  assert.equal(ev2[0]!.fields['direction'], 'in');
});

test('a plugin that throws has its connection state reset; the engine carries on', async () => {
  const { ProtocolRegistry } = await import('../../../src/beats/packetbeat/protos/registry.js');
  const reg = new ProtocolRegistry();
  let calls = 0;
  let closedWith: unknown = 'never';
  reg.register('boom', () => ({
    name: 'boom',
    ports: [7777],
    transactionTimeoutMs: 1000,
    parse: (_p: unknown, _c: unknown, _d: unknown, state: unknown) => {
      calls++;
      if (calls === 2) throw new Error('bad bytes');
      return (typeof state === 'number' ? state : 0) + 1;
    },
    receivedFin: (_c: unknown, _d: unknown, s: unknown) => s,
    gapInStream: (_c: unknown, _d: unknown, _n: number, s: unknown) => ({ state: s, drop: false }),
    connectionClosed: (_c: unknown, s: unknown) => void (closedWith = s),
  }));
  await runCaptureWith(reg, writeTempCapture(1, frames(basic().segments)), { boom: {} });
  assert.equal(calls, 5);
  assert.equal(closedWith, 3, 'state restarted after the exception');
});

test('SYN with PSH flags combination and zero-window probes do not confuse tracking', async () => {
  const conv = new Conversation(client, server).handshake().client_('GET a\n');
  const s = [...conv.segments];
  // zero-window probe: 1 byte already sent again
  s.push({ ...s[s.length - 1]!, payload: 'G', flags: ACK });
  const rest = new Conversation(client, server, [1000, 5000]);
  void rest;
  const ev = await run([...s, { src: server.ip, dst: client.ip, sport: server.port, dport: client.port, seq: 5001, ack: 1007, flags: PSH | ACK, payload: 'OK a\n' }]);
  assert.deepEqual(summary(ev), ['GET a => OK a OK']);
  void SYN;
});

test('a new SYN on a tracked 4-tuple (port reuse, close not captured) starts a new connection', async () => {
  const first = new Conversation(client, server, [1000, 5000]).handshake().client_('GET a\n').server_('OK a\n').client_('GET lost\n');
  const again = new Conversation(client, server, [900_000, 700_000]).handshake().client_('GET b\n').server_('OK b\n').close();
  // a retransmitted SYN of the first connection is not a new connection
  const synRetrans = { ...first.segments[0]! };
  const ev = await run([...first.segments.slice(0, 1), synRetrans, ...first.segments.slice(1), ...again.segments]);
  assert.deepEqual(summary(ev), ['GET a => OK a OK', 'GET lost => - Error ["Response not found"]', 'GET b => OK b OK']);
});
