/**
 * Splits one direction of a DNS-over-TCP stream into messages: each is preceded by its length as a 2-byte big-endian
 * number (RFC 1035 4.2.2). Buffers at most one incomplete message (< 64 KiB + 2).
 */
export class TcpDnsFramer {
  #buf: Buffer | undefined;
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
      b = Buffer.concat([this.#buf, data]);
      this.#buf = undefined;
    }
    const out: Buffer[] = [];
    let pos = 0;
    while (b.length - pos >= 2) {
      const len = b.readUInt16BE(pos);
      if (b.length - pos - 2 < len) break;
      out.push(b.subarray(pos + 2, pos + 2 + len));
      pos += 2 + len;
    }
    if (pos < b.length) this.#buf = Buffer.from(b.subarray(pos));
    return out;
  }

  /**
   * Bytes were lost: message boundaries are unknown, so data is ignored until a segment that holds whole messages
   * exactly (each at least a DNS header long).
   */
  lose(): void {
    this.#lost = true;
    this.#buf = undefined;
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
