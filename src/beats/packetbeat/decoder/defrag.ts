/**
 * IP fragment reassembly (IPv4 and IPv6). Fragments are keyed by (source, destination, protocol, id); a datagram is
 * complete when the last fragment arrived and the pieces cover it without holes. Memory is bounded: incomplete
 * datagrams older than `timeoutMs` (capture time) are dropped, and so is the oldest one when the total buffered
 * bytes or the number of datagrams exceeds the limits.
 */

interface Piece {
  offset: number;
  data: Buffer;
}

interface Pending {
  firstTs: number;
  pieces: Piece[];
  /** Total length, known once the last fragment (more-fragments = 0) arrived. */
  total: number;
  bytes: number;
  /** The unfragmentable part (IP header of the first fragment), kept by the caller's choice. */
}

export interface DefragLimits {
  timeoutMs: number;
  maxBytes: number;
  maxDatagrams: number;
}

export const DEFAULT_DEFRAG_LIMITS: DefragLimits = { timeoutMs: 30_000, maxBytes: 4 * 1024 * 1024, maxDatagrams: 1024 };
const MAX_DATAGRAM = 65535 + 8;

export class Defragmenter {
  readonly #pending = new Map<string, Pending>();
  #bytes = 0;
  readonly #limits: DefragLimits;
  /** Datagrams dropped incomplete (timeout, limits, overlap junk). */
  dropped = 0;

  constructor(limits: Partial<DefragLimits> = {}) {
    this.#limits = { ...DEFAULT_DEFRAG_LIMITS, ...limits };
  }

  get size(): number {
    return this.#pending.size;
  }

  get bufferedBytes(): number {
    return this.#bytes;
  }

  /**
   * Adds one fragment (payload after the IP header, `offset` in bytes). Returns the reassembled payload when this
   * fragment completed the datagram.
   */
  add(key: string, ts: number, offset: number, more: boolean, data: Buffer): Buffer | undefined {
    this.#expire(ts);
    if (offset + data.length > MAX_DATAGRAM) return undefined;
    let p = this.#pending.get(key);
    if (p === undefined) {
      while (this.#pending.size >= this.#limits.maxDatagrams || this.#bytes + data.length > this.#limits.maxBytes) {
        if (!this.#dropOldest()) break;
      }
      if (data.length > this.#limits.maxBytes) return undefined;
      p = { firstTs: ts, pieces: [], total: -1, bytes: 0 };
      this.#pending.set(key, p);
    }
    if (!more) p.total = offset + data.length;
    const copy = Buffer.from(data);
    p.pieces.push({ offset, data: copy });
    p.bytes += copy.length;
    this.#bytes += copy.length;
    if (p.total < 0) return undefined;
    p.pieces.sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const piece of p.pieces) {
      if (piece.offset > covered) return undefined;
      covered = Math.max(covered, piece.offset + piece.data.length);
    }
    if (covered < p.total) return undefined;
    const out = Buffer.alloc(p.total);
    for (const piece of p.pieces) {
      const room = p.total - piece.offset;
      if (room > 0) piece.data.copy(out, piece.offset, 0, Math.min(room, piece.data.length));
    }
    this.#remove(key, p);
    return out;
  }

  #remove(key: string, p: Pending): void {
    this.#pending.delete(key);
    this.#bytes -= p.bytes;
  }

  #dropOldest(): boolean {
    const first = this.#pending.entries().next();
    if (first.done) return false;
    this.#remove(first.value[0], first.value[1]);
    this.dropped++;
    return true;
  }

  #expire(now: number): void {
    for (const [key, p] of this.#pending) {
      if (now - p.firstTs <= this.#limits.timeoutMs) break; // insertion order ~ time order
      this.#remove(key, p);
      this.dropped++;
    }
  }
}
