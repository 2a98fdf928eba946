import { inflateSync } from 'node:zlib';
import { SegmentJoiner } from '../segment-joiner.js';
import { OpcodeDecoder } from './opcodes.js';
import { MAX_MESSAGE, MAX_PENDING, OP, OPCODE_NAMES, type MongoExchange, type MongoParserOptions, type MongoReply, type MongoRequest } from './types.js';

/**
 * Incremental MongoDB wire-protocol parser: frames messages (16-byte header: length, requestID, responseTo,
 * opCode) in each direction and decodes the opcodes Packetbeat 1.0 read (OP_QUERY, OP_REPLY, OP_INSERT, OP_UPDATE,
 * OP_DELETE, OP_GET_MORE, OP_KILL_CURSORS) plus OP_MSG and OP_COMPRESSED (noop and zlib). Requests are matched to
 * replies by requestID = responseTo; requests that get no reply (legacy writes, OP_MSG with moreToCome) complete at
 * once.
 */

export class MongoConnParser {
  readonly pending = new Map<number, MongoRequest>();
  readonly #streams: [SegmentJoiner, SegmentJoiner] = [
    new SegmentJoiner(),
    new SegmentJoiner(),
  ];
  /** Per direction: skipping data until a message boundary (after lost bytes). */
  #resync: [boolean, boolean] = [false, false];

  readonly #decoder: OpcodeDecoder;

  constructor(opts: MongoParserOptions) {
    this.#decoder = new OpcodeDecoder(opts);
  }

  feed(dir: 0 | 1, ts: number, payload: Buffer, out: MongoExchange[]): void {
    if (payload.length === 0) return;
    if (this.#resync[dir]) {
      if (!this.#looksAligned(dir, payload)) return;
      this.#resync[dir] = false;
    }
    const joiner = this.#streams[dir];
    const data = joiner.join(payload);
    let off = 0;
    while (data.length - off >= 16) {
      const len = data.readInt32LE(off);
      if (len < 16 || len > MAX_MESSAGE) return; // not MongoDB framing: drop this direction's bytes
      if (data.length - off < len) break;
      const startTs = joiner.startTs(off, ts);
      const msg = data.subarray(off, off + len);
      off += len;
      try {
        this.#message(msg, dir, dir === 0 ? startTs : ts, out);
      } catch {
        /* a message that does not decode is skipped */
      }
    }
    joiner.keep(data, off, ts);
  }

  /**
   * `dir` lost bytes: its buffered bytes go and its data is skipped until a segment starts with a plausible message
   * header (sane length, known opcode; a reply must answer a waiting request). Waiting requests stay: replies are
   * matched by id.
   */
  lostBytes(dir: 0 | 1): void {
    this.#streams[dir].clear();
    this.#resync[dir] = true;
  }

  #looksAligned(dir: 0 | 1, p: Buffer): boolean {
    if (p.length < 16) return false;
    const len = p.readInt32LE(0);
    const op = p.readInt32LE(12);
    if (len < 16 || len > MAX_MESSAGE || OPCODE_NAMES[op] === undefined) return false;
    if (dir === 1) return op !== OP.REPLY && op !== OP.MSG && op !== OP.COMPRESSED ? false : this.pending.has(p.readInt32LE(8));
    return op !== OP.REPLY;
  }

  takePending(): MongoExchange[] {
    const out = [...this.pending.values()].map((req) => ({ req }));
    this.pending.clear();
    return out;
  }

  expireOlderThan(cutoff: number): MongoExchange[] {
    const out: MongoExchange[] = [];
    for (const [id, req] of this.pending) {
      if (req.ts < cutoff) {
        this.pending.delete(id);
        out.push({ req });
      }
    }
    return out;
  }

  #message(msg: Buffer, dir: 0 | 1, ts: number, out: MongoExchange[]): void {
    const requestId = msg.readInt32LE(4);
    const responseTo = msg.readInt32LE(8);
    let opCode = msg.readInt32LE(12);
    let body = msg.subarray(16);
    let note: string | undefined;
    if (opCode === OP.COMPRESSED) {
      const d = decompress(body);
      opCode = d.opCode;
      body = d.body ?? Buffer.alloc(0);
      note = d.note;
    }
    if (dir === 1) {
      const req = this.pending.get(responseTo);
      if (req === undefined) return; // reply to a request we did not see
      this.pending.delete(responseTo);
      const reply: MongoReply = { ts, bytes: msg.length, fields: {}, docs: [] };
      if (note === undefined) this.#decoder.reply(opCode, body, reply);
      out.push({ req, reply });
      return;
    }
    const req: MongoRequest = { requestId, ts, bytes: msg.length, opCode, fields: {}, expectsReply: true, note };
    // OP_COMMAND and unknown opcodes are not transactions
    if (note === undefined && !this.#decoder.request(opCode, body, req)) return;
    if (!req.expectsReply) {
      out.push({ req });
      return;
    }
    if (this.pending.size >= MAX_PENDING) {
      const first = this.pending.keys().next().value;
      if (first !== undefined) {
        const old = this.pending.get(first);
        this.pending.delete(first);
        if (old !== undefined) out.push({ req: old });
      }
    }
    this.pending.set(requestId, req);
  }
}

function decompress(b: Buffer): { opCode: number; body?: Buffer; note?: string } {
  const opCode = b.readInt32LE(0);
  const size = b.readInt32LE(4);
  const compressor = b[8] as number;
  const data = b.subarray(9);
  if (size < 0 || size > MAX_MESSAGE) return { opCode, note: 'bad OP_COMPRESSED size' };
  if (compressor === 0) return { opCode, body: data };
  if (compressor === 2) {
    try {
      return { opCode, body: inflateSync(data, { maxOutputLength: Math.max(1, size) }) };
    } catch {
      return { opCode, note: 'zlib data does not inflate' };
    }
  }
  const name = compressor === 1 ? 'snappy' : compressor === 3 ? 'zstd' : `compressor ${compressor}`;
  return { opCode, note: `message compressed with ${name}: not decoded` };
}
