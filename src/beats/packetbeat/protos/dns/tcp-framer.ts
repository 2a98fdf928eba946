/**
 * Splits one direction of a DNS-over-TCP stream into messages: each is preceded by its length as a 2-byte big-endian
 * number (RFC 1035 4.2.2). Buffers at most one incomplete message (< 64 KiB + 2).
 */
export class TcpDnsFramer {
  #buf: Buffer | undefined;
  #parts: Buffer[] = [];
  #partsLen = 0;
  #need = 0;
  #lost = false;

  feed(data: Buffer): Buffer[] {
    if (this.#lost) {
      // Resynchronise on a segment made of whole messages only (servers and clients usually write one message,
      // prefix included, per segment).
      if (!framesExactly(data)) return [];
      this.#lost = false;
    }
    let b = data;
    if (this.#buf !== undefined) {
      // Pieces of an incomplete message are collected and joined once it is complete (linear even when a peer
      // sends one byte per segment).
      this.#parts.push(Buffer.from(data));
      this.#partsLen += data.length;
      if (this.#partsLen < this.#need) return [];
      b = Buffer.concat([this.#buf, ...this.#parts]);
      this.#buf = undefined;
      this.#parts = [];
      this.#partsLen = 0;
    }
    const out: Buffer[] = [];
    let pos = 0;
    while (b.length - pos >= 2) {
      const len = b.readUInt16BE(pos);
      if (b.length - pos - 2 < len) break;
      out.push(b.subarray(pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    if (pos < b.length) {
      this.#buf = Buffer.from(b.subarray(pos));
      // Bytes still missing before the next message is complete (or before its length prefix is).
      this.#need = b.length - pos >= 2 ? 2 + b.readUInt16BE(pos) - (b.length - pos) : 2 - (b.length - pos);
    }
    return out;
  }

  /**
   * Bytes were lost: message boundaries are unknown, so data is ignored until a segment that holds whole messages
   * exactly (each at least a DNS header long).
   */
  lose(): void {
    this.#lost = true;
    this.#buf = undefined;
    this.#parts = [];
    this.#partsLen = 0;
  }
}

function framesExactly(b: Buffer): boolean {
  let pos = 0;
  while (b.length - pos >= 2) {
    const len = b.readUInt16BE(pos);
    if (len < 12) return false;
    pos += 2 + len;
  }
  return pos === b.length && pos > 0;
}
