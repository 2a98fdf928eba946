import { closeSync, openSync, readSync } from 'node:fs';

const SPACE = 0x20;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * One reusable read buffer for /proc files, with allocation-free number parsing over it. /proc files are generated
 * on each read at offset 0, so a kept-open descriptor can be read again with pread (`readFd`) at a fraction of the
 * cost of open + read + close. Not re-entrant: parse the content before the next read.
 */
export class ProcBuffer {
  buf: Buffer;
  /** Bytes of valid content after the last read. */
  len = 0;

  constructor(size = 16 * 1024) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Reads the whole file behind `fd` from offset 0; returns false if the process or file is gone. */
  readFd(fd: number): boolean {
    try {
      let n = readSync(fd, this.buf, 0, this.buf.length, 0);
      while (n === this.buf.length) {
        // Larger than the buffer (a long cmdline, /proc/stat on a big machine): grow and read it all again.
        this.buf = Buffer.allocUnsafe(this.buf.length * 2);
        n = readSync(fd, this.buf, 0, this.buf.length, 0);
      }
      this.len = n;
      return true;
    } catch {
      this.len = 0;
      return false;
    }
  }

  /** Opens, reads and closes `path`; false if it cannot be read (process exited, no permission). */
  readPath(path: string): boolean {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      this.len = 0;
      return false;
    }
    try {
      return this.readFd(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** Index of the first non-space byte at or after `pos`. */
  skipSpaces(pos: number): number {
    const b = this.buf;
    while (pos < this.len && (b[pos] === SPACE || b[pos] === 0x09)) pos++;
    return pos;
  }

  /** Index just past the next space-separated token starting at `pos` (after skipping spaces). */
  skipToken(pos: number): number {
    const b = this.buf;
    pos = this.skipSpaces(pos);
    while (pos < this.len && b[pos] !== SPACE && b[pos] !== NEWLINE && b[pos] !== 0x09) pos++;
    return pos;
  }

  /**
   * Parses the unsigned decimal at `pos` (after spaces); sets `end` to the index after it. Exact up to 2^53,
   * which covers every /proc counter in practice (a 2^53-byte address space or tick count is not reachable).
   */
  uint(pos: number): number {
    const b = this.buf;
    pos = this.skipSpaces(pos);
    let n = 0;
    let c = b[pos]!;
    while (pos < this.len && c >= ZERO && c <= NINE) {
      n = n * 10 + (c - ZERO);
      c = b[++pos]!;
    }
    this.end = pos;
    return n;
  }

  /** Like uint() for a decimal with a fractional part (loadavg). */
  decimal(pos: number): number {
    const start = this.skipSpaces(pos);
    pos = start;
    const b = this.buf;
    while (pos < this.len && b[pos] !== SPACE && b[pos] !== NEWLINE) pos++;
    this.end = pos;
    return Number(b.toString('latin1', start, pos));
  }

  /** Set by uint()/decimal(): the index after the last number parsed. */
  end = 0;

  /** Index of the first byte of the line after `pos`, or len. */
  nextLine(pos: number): number {
    const i = this.buf.indexOf(NEWLINE, pos);
    return i < 0 || i >= this.len ? this.len : i + 1;
  }

  /** True if the content at `pos` starts with the ASCII `prefix`. */
  startsWith(pos: number, prefix: string): boolean {
    if (pos + prefix.length > this.len) return false;
    for (let i = 0; i < prefix.length; i++) if (this.buf[pos + i] !== prefix.charCodeAt(i)) return false;
    return true;
  }
}
