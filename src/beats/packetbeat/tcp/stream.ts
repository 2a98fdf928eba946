/** What a reassembled stream delivers, in order. */
export interface StreamSink {
  data(payload: Buffer, ts: number): void;
  /** `nbytes` of the stream were never seen (lost by the capture). */
  gap(nbytes: number): void;
  /** The peer closed its side; everything before the FIN has been delivered. */
  fin(): void;
}

/** Limits on what one direction of a connection buffers while waiting for missing segments. */
export interface StreamLimits {
  maxSegments: number;
  maxBytes: number;
  /** A segment further ahead than this is not buffered: the stream resyncs on it and reports the skipped bytes. */
  maxWindow: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxSegments: 256, maxBytes: 1024 * 1024, maxWindow: 8 * 1024 * 1024 };

/** Shared across all streams so the total out-of-order memory stays bounded. */
export interface BufferBudget {
  used: number;
  max: number;
}

export interface StreamStats {
  retransmitted: number;
  outOfOrder: number;
  gaps: number;
  gapBytes: number;
}

interface Segment {
  seq: number;
  data: Buffer;
  ts: number;
}

const SYN = 0x02;
const FIN = 0x01;

/** Signed distance a - b in 32-bit sequence space. */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/**
 * One direction of a TCP connection: tracks the next expected sequence number, drops retransmitted bytes, buffers
 * out-of-order segments (bounded) and reports holes as gaps.
 */
export class TcpStream {
  initialized = false;
  nextSeq = 0;
  finSeen = false;
  finDelivered = false;
  #finSeq = 0;
  #ooo: Segment[] = [];
  #oooBytes = 0;
  readonly #limits: StreamLimits;
  readonly #budget: BufferBudget;
  readonly #stats: StreamStats;

  constructor(limits: StreamLimits, budget: BufferBudget, stats: StreamStats) {
    this.#limits = limits;
    this.#budget = budget;
    this.#stats = stats;
  }

  get bufferedSegments(): number {
    return this.#ooo.length;
  }

  get bufferedBytes(): number {
    return this.#oooBytes;
  }

  /** Capture time of the oldest buffered segment (undefined when nothing waits). */
  get oldestBufferedTs(): number | undefined {
    let t: number | undefined;
    for (const s of this.#ooo) if (t === undefined || s.ts < t) t = s.ts;
    return t;
  }

  segment(seq: number, flags: number, payload: Buffer, ts: number, sink: StreamSink): void {
    if (flags & SYN) {
      seq = (seq + 1) >>> 0;
      if (!this.initialized || this.#ooo.length === 0) {
        this.nextSeq = seq;
        this.initialized = true;
      }
    }
    if (!this.initialized) {
      if (payload.length === 0 && !(flags & FIN)) return;
      this.nextSeq = seq;
      this.initialized = true;
    }
    if (payload.length > 0) this.#data(seq, payload, ts, sink);
    if (flags & FIN && !this.finSeen) {
      this.finSeen = true;
      this.#finSeq = (seq + payload.length) >>> 0;
      this.#maybeFin(sink);
    }
  }

  #data(seq: number, payload: Buffer, ts: number, sink: StreamSink): void {
    let d = seqDiff(seq, this.nextSeq);
    if (d < 0) {
      if (d + payload.length <= 0) {
        this.#stats.retransmitted++;
        return;
      }
      payload = payload.subarray(-d);
      seq = this.nextSeq;
      d = 0;
    }
    if (d === 0) {
      this.nextSeq = (this.nextSeq + payload.length) >>> 0;
      sink.data(payload, ts);
      if (this.#ooo.length > 0) this.#drain(sink);
      return;
    }
    if (d > this.#limits.maxWindow) {
      // Far ahead: the capture lost a lot (or the stream is corrupt). Resync here.
      this.#skipTo(seq, sink);
      this.nextSeq = (seq + payload.length) >>> 0;
      sink.data(payload, ts);
      if (this.#ooo.length > 0) this.#drain(sink);
      return;
    }
    this.#stats.outOfOrder++;
    this.#insert({ seq, data: Buffer.from(payload), ts });
    while (
      this.#ooo.length > 0 &&
      (this.#ooo.length > this.#limits.maxSegments ||
        this.#oooBytes > this.#limits.maxBytes ||
        this.#budget.used > this.#budget.max)
    ) {
      this.skipHole(sink);
    }
  }

  #insert(s: Segment): void {
    let i = this.#ooo.length;
    while (i > 0 && seqDiff(this.#ooo[i - 1]!.seq, s.seq) > 0) i--;
    this.#ooo.splice(i, 0, s);
    this.#oooBytes += s.data.length;
    this.#budget.used += s.data.length;
  }

  #shift(): Segment {
    const s = this.#ooo.shift()!;
    this.#oooBytes -= s.data.length;
    this.#budget.used -= s.data.length;
    return s;
  }

  #drain(sink: StreamSink): void {
    while (this.#ooo.length > 0 && seqDiff(this.#ooo[0]!.seq, this.nextSeq) <= 0) {
      const s = this.#shift();
      const d = seqDiff(s.seq, this.nextSeq);
      if (d + s.data.length <= 0) {
        this.#stats.retransmitted++;
        continue;
      }
      const data = s.data.subarray(-d);
      this.nextSeq = (this.nextSeq + data.length) >>> 0;
      sink.data(data, s.ts);
    }
    this.#maybeFin(sink);
  }

  #skipTo(seq: number, sink: StreamSink): void {
    const n = seqDiff(seq, this.nextSeq);
    if (n <= 0) return;
    this.#stats.gaps++;
    this.#stats.gapBytes += n;
    this.nextSeq = seq >>> 0;
    sink.gap(n);
  }

  /** Gives up on the first hole: reports it as a gap and delivers what was buffered after it. */
  skipHole(sink: StreamSink): void {
    const first = this.#ooo[0];
    if (first === undefined) return;
    this.#skipTo(first.seq, sink);
    this.#drain(sink);
  }

  /** The peer acknowledged `ack`: bytes before it that we buffered after a hole will never be filled. */
  peerAcked(ack: number, sink: StreamSink): void {
    while (this.#ooo.length > 0 && seqDiff(ack, this.#ooo[0]!.seq) > 0) this.skipHole(sink);
  }

  /** Delivers everything buffered (reporting holes) and a pending FIN; used when the connection ends. */
  flush(sink: StreamSink): void {
    while (this.#ooo.length > 0) this.skipHole(sink);
    if (this.finSeen && !this.finDelivered) {
      this.#skipTo(this.#finSeq, sink);
      this.#maybeFin(sink);
    }
  }

  /** Drops the buffered segments (connection evicted), returning their bytes to the budget. */
  release(): void {
    for (const s of this.#ooo) this.#budget.used -= s.data.length;
    this.#ooo = [];
    this.#oooBytes = 0;
  }

  #maybeFin(sink: StreamSink): void {
    if (this.finSeen && !this.finDelivered && seqDiff(this.#finSeq, this.nextSeq) <= 0) {
      this.finDelivered = true;
      sink.fin();
    }
  }
}
