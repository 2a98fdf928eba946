// Drives a TcpProtocol with an in-memory conversation (no pcap): used to feed each message split at every byte
// offset and to fuzz the parsers with hostile bytes.
import type { BeatEvent } from '../../../../../src/libbeat/common/event.js';
import { nopLogger } from '../../../../../src/libbeat/logp/logger.js';
import { ConfigNode } from '../../../../../src/libbeat/config/config-node.js';
import type { Direction, ProtocolFactory, TcpConnection, TcpProtocol } from '../../../../../src/beats/packetbeat/protos/protocol.js';
import { readPcapTcp } from './pcap-feed.js';

export interface Chunk {
  dir: Direction;
  ts: number;
  data: Buffer;
}

export const CONN: TcpConnection = { id: 1, client: { ip: '127.0.0.1', port: 40000 }, server: { ip: '127.0.0.1', port: 3306 } };

/** Runs the conversation through a fresh protocol instance; returns the events (closing the connection at the end). */
export function converse(factory: ProtocolFactory, config: Record<string, unknown>, chunks: readonly Chunk[]): BeatEvent[] {
  const events: BeatEvent[] = [];
  const proto = factory(new ConfigNode(config, 'test.yml', 'protocols.x'), {
    report: (e) => events.push(e),
    log: nopLogger,
    now: () => 0,
  }) as TcpProtocol;
  let state: unknown;
  for (const c of chunks) state = proto.parse({ ts: c.ts, payload: c.data }, CONN, c.dir, state);
  proto.connectionClosed(CONN, state);
  return events;
}

/** The payload segments of a capture, in order, as a conversation (server side = `port`). */
export function chunksOfPcap(file: string, port: number): Chunk[] {
  return readPcapTcp(file)
    .filter((f) => f.payload.length > 0 && (f.sport === port || f.dport === port))
    .map((f) => ({ dir: f.dport === port ? 0 : 1, ts: f.ts, data: Buffer.from(f.payload) }) as Chunk);
}

/** Variants of `chunks` where chunk `i` is cut in two at every offset (both halves keep the chunk's time). */
export function* splitsOf(chunks: readonly Chunk[], i: number): Generator<Chunk[]> {
  const c = chunks[i] as Chunk;
  for (let k = 1; k < c.data.length; k++) {
    yield [
      ...chunks.slice(0, i),
      { dir: c.dir, ts: c.ts, data: c.data.subarray(0, k) },
      { dir: c.dir, ts: c.ts, data: c.data.subarray(k) },
      ...chunks.slice(i + 1),
    ];
  }
}

/** The conversation re-cut into one-byte chunks. */
export function bytewise(chunks: readonly Chunk[]): Chunk[] {
  const out: Chunk[] = [];
  for (const c of chunks) for (let k = 0; k < c.data.length; k++) out.push({ dir: c.dir, ts: c.ts, data: c.data.subarray(k, k + 1) });
  return out;
}

/** Copies of the conversation with random bits flipped, bytes dropped or garbage inserted. */
export function mutate(chunks: readonly Chunk[], rnd: () => number): Chunk[] {
  return chunks.map((c) => {
    const d = Buffer.from(c.data);
    const r = rnd();
    if (r < 0.5) {
      for (let n = 0; n < 1 + Math.floor(rnd() * 4); n++) {
        const i = Math.floor(rnd() * d.length);
        d[i] = (d[i] as number) ^ (1 << Math.floor(rnd() * 8));
      }
      return { ...c, data: d };
    }
    if (r < 0.7) return { ...c, data: d.subarray(0, Math.floor(rnd() * d.length)) };
    if (r < 0.8) {
      const junk = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 32) }, () => Math.floor(rnd() * 256)));
      return { ...c, data: Buffer.concat([junk, d]) };
    }
    return { ...c, data: d };
  });
}

/** Random conversations of random bytes. */
export function randomChunks(rnd: () => number, n: number): Chunk[] {
  return Array.from({ length: n }, (_, i) => ({
    dir: (rnd() < 0.5 ? 0 : 1) as Direction,
    ts: i,
    data: Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))),
  }));
}

export const fieldsOf = (evs: readonly BeatEvent[]): unknown[] => evs.map((e) => ({ ts: e.timestamp.getTime(), ...e.fields }));
