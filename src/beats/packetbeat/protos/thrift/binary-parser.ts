import { bytesToText } from '../redis/text.js';
import { ByteReader } from './byte-reader.js';
import { MAX_FRAME, MAX_NAME, type BodyPlan, type RenderOptions, type ThriftMessage } from './message.js';
import { StructDecoder } from './struct-decoder.js';

type State = 'frameLen' | 'head' | 'nameLen' | 'name' | 'mtype' | 'seq' | 'body' | 'skip';

/**
 * Incremental parser of Thrift's binary protocol over the socket (unframed) or framed transport: bytes in, complete
 * messages out. It is a resumable state machine, so a message may be split anywhere and no input size drives
 * allocation: this class reads the transport framing and the message header (names are cut at MAX_NAME), the body is
 * decoded by a StructDecoder. Every loop iteration consumes input or finishes a value, so nothing can make it spin.
 */
export class ThriftStream {
  readonly #plan: (name: string, type: number) => BodyPlan;
  readonly #defaultFramed: boolean;
  readonly #in = new ByteReader();
  readonly #body: StructDecoder;
  #framed: boolean | undefined;
  #state: State = 'head';
  #error: string | undefined;
  // message
  #msg: ThriftMessage | undefined;
  #frameLen = 0;
  #nameParts: Buffer[] = [];
  #nameLen = 0;
  #nameGot = 0;
  #strict = false;
  #skipLeft = 0;
  #resync = false;
  #sawStrict = false;
  /** The first bytes of a stream (fewer than 6) kept until the transport can be told. */
  #detect: Buffer | undefined;

  constructor(opts: RenderOptions, plan: (name: string, type: number) => BodyPlan, framed: boolean) {
    this.#plan = plan;
    this.#defaultFramed = framed;
    this.#body = new StructDecoder(opts, this.#in, (why) => this.#fail(why));
  }

  get error(): string | undefined {
    return this.#error;
  }

  /**
   * Forgets the stream position. With `resync` (after lost bytes or garbage), once strict headers were seen on this
   * stream, chunks are skipped until one starts with a strict header (directly or after a frame length).
   */
  reset(resync = false): void {
    this.#resync = resync && this.#sawStrict;
    this.#detect = undefined;
    this.#framed = undefined;
    this.#state = 'head';
    this.#error = undefined;
    this.#in.clearCarry();
    this.#setMessage(undefined);
    this.#nameParts = [];
    this.#body.reset();
  }

  feed(chunk: Buffer, ts: number): ThriftMessage[] {
    const out: ThriftMessage[] = [];
    if (this.#error !== undefined || chunk.length === 0) return out;
    if (this.#resync) {
      const strictAt = (i: number): boolean => chunk.length >= i + 2 && chunk[i] === 0x80 && chunk[i + 1] === 0x01;
      if (!strictAt(0) && !strictAt(4)) return out;
      this.#resync = false;
    }
    if (this.#framed === undefined) {
      // A strict header (0x80 0x01) at the start or right after a 4-byte length tells the transport. Some framed
      // clients write the length on its own: wait for 6 bytes before deciding.
      if (this.#detect !== undefined) {
        chunk = Buffer.concat([this.#detect, chunk]);
        this.#detect = undefined;
      }
      // A first byte with the top bit set cannot start a frame length (over 2 GB): socket transport.
      if (chunk.length < 6 && (chunk[0]! & 0x80) === 0) {
        this.#detect = Buffer.from(chunk);
        return out;
      }
      const strictAt0 = chunk[0] === 0x80 && chunk[1] === 0x01;
      if (!strictAt0 && chunk.length >= 6 && chunk[4] === 0x80 && chunk[5] === 0x01) this.#framed = true;
      else if ((chunk[0]! & 0x80) !== 0) this.#framed = false;
      else this.#framed = this.#defaultFramed;
      this.#state = this.#framed ? 'frameLen' : 'head';
    }
    const r = this.#in;
    r.setChunk(chunk);
    while (this.#error === undefined) {
      if (this.#msg === undefined && !r.carrying && r.remaining > 0 && (this.#state === 'head' || this.#state === 'frameLen'))
        this.#setMessage({ name: '', type: 0, seqId: 0, ts, endTs: ts, bytes: 0, fields: [], text: undefined, dropped: false });
      if (r.remaining <= 0) break;
      if (!this.#step(ts, out)) break;
      const m = this.#msg;
      if (this.#framed && m !== undefined && this.#state !== 'frameLen' && m.bytes > this.#frameLen) this.#fail('message longer than its frame');
    }
    r.release();
    return out;
  }

  #setMessage(m: ThriftMessage | undefined): void {
    this.#msg = m;
    this.#in.msg = m;
  }

  #fail(why: string): false {
    this.#error = why;
    return false;
  }

  /** One step of the state machine; false when more input is needed (or on error). */
  #step(ts: number, out: ThriftMessage[]): boolean {
    const m = this.#msg!;
    const r = this.#in;
    switch (this.#state) {
      case 'frameLen': {
        if (!r.take(4)) return false;
        this.#frameLen = r.rb.readUInt32BE(r.ro);
        if (this.#frameLen > MAX_FRAME || this.#frameLen < 9) return this.#fail('bad frame length');
        m.bytes = 0; // the frame header is not part of the message
        this.#state = 'head';
        return true;
      }
      case 'head': {
        if (!r.take(4)) return false;
        const b = r.rb;
        const o = r.ro;
        if (b[o]! & 0x80) {
          if (b[o] !== 0x80 || b[o + 1] !== 0x01) return this.#fail('bad protocol version');
          this.#strict = true;
          this.#sawStrict = true;
          m.type = b[o + 3]!;
          this.#state = 'nameLen';
          return true;
        }
        this.#strict = false;
        return this.#beginName(b.readUInt32BE(o));
      }
      case 'nameLen': {
        if (!r.take(4)) return false;
        return this.#beginName(r.rb.readUInt32BE(r.ro));
      }
      case 'name': {
        const part = r.part(this.#nameLen - this.#nameGot);
        this.#nameParts.push(part);
        this.#nameGot += part.length;
        if (this.#nameGot < this.#nameLen) return false;
        m.name = this.#nameParts.length === 1 ? bytesToText(this.#nameParts[0]!) : bytesToText(Buffer.concat(this.#nameParts));
        this.#nameParts = [];
        this.#state = this.#strict ? 'seq' : 'mtype';
        return true;
      }
      case 'mtype': {
        if (!r.take(1)) return false;
        m.type = r.rb[r.ro]!;
        this.#state = 'seq';
        return true;
      }
      case 'seq': {
        if (!r.take(4)) return false;
        m.seqId = r.rb.readInt32BE(r.ro);
        if (m.type < 1 || m.type > 4) return this.#fail('bad message type');
        this.#body.begin(m, this.#plan(m.name, m.type));
        this.#state = 'body';
        return true;
      }
      case 'body': {
        if (!this.#body.step()) return false;
        const text = this.#body.done;
        return text === undefined ? true : this.#messageDone(text, ts, out);
      }
      case 'skip': {
        this.#skipLeft -= r.skip(this.#skipLeft);
        if (this.#skipLeft > 0) return false;
        this.#state = 'frameLen';
        return true;
      }
    }
  }

  #beginName(n: number): boolean {
    if (n === 0 || n > MAX_NAME) return this.#fail('bad method name length');
    this.#nameLen = n;
    this.#nameGot = 0;
    this.#nameParts = [];
    this.#state = 'name';
    return true;
  }

  #messageDone(text: string, ts: number, out: ThriftMessage[]): boolean {
    const m = this.#msg!;
    m.text = this.#body.render ? text : undefined;
    m.endTs = ts;
    this.#setMessage(undefined);
    out.push(m);
    if (this.#framed) {
      if (m.bytes > this.#frameLen) return this.#fail('message longer than its frame');
      this.#skipLeft = this.#frameLen - m.bytes;
      this.#state = this.#skipLeft > 0 ? 'skip' : 'frameLen';
    } else this.#state = 'head';
    return true;
  }
}
