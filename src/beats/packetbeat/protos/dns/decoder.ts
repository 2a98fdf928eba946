import { TYPE } from './names.js';
import { formatRdata } from './rdata.js';

/**
 * A pure DNS message decoder (RFC 1035 wire format, EDNS0 OPT, the common record types). Never throws: a message
 * that ends early or holds a bad name keeps what was decoded before the fault and says what went wrong in `error`.
 */

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface DnsRecord {
  name: string;
  type: number;
  /** For OPT this is the requester's UDP payload size. */
  class: number;
  /** For OPT this is the extended rcode, version and flags. */
  ttl: number;
  /** Presentation form of the RDATA; TXT records give their strings as a list. */
  data: string | string[];
}

export interface DnsMessage {
  id: number;
  response: boolean;
  opcode: number;
  authoritative: boolean;
  truncated: boolean;
  recursionDesired: boolean;
  recursionAvailable: boolean;
  authenticData: boolean;
  checkingDisabled: boolean;
  /** Response code including the EDNS0 extension bits when an OPT record is present. */
  rcode: number;
  /** Counts from the header (what the sender announced). */
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
  /** Size of the message in bytes. */
  size: number;
  /** Set when the message could not be decoded completely. */
  error?: string;
}

export const MAX_NAME_LENGTH = 255;
const MAX_POINTERS = 64;

/** Outcome of reading a domain name: the name and the offset right after it in the record being read. */
export interface NameRead {
  name: string;
  next: number;
}

/**
 * Reads a (possibly compressed) domain name at `off`. Compression pointers must point strictly backwards, at most
 * 64 are followed and the name is at most 255 bytes, so a hostile message cannot make this loop. Returns undefined
 * for a malformed name. The root is `.`; other names have no trailing dot (Packetbeat 1.x style).
 */
export function readName(buf: Buffer, off: number): NameRead | undefined {
  const labels: string[] = [];
  let pos = off;
  let next = -1;
  let jumps = 0;
  let total = 0;
  let lowest = off;
  for (;;) {
    if (pos >= buf.length) return undefined;
    const len = buf[pos] as number;
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) return undefined;
      const target = ((len & 0x3f) << 8) | (buf[pos + 1] as number);
      if (next < 0) next = pos + 2;
      if (target >= lowest || ++jumps > MAX_POINTERS) return undefined;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return undefined; // 0x40 / 0x80: extended / reserved label types
    if (len === 0) {
      if (next < 0) next = pos + 1;
      break;
    }
    if (pos + 1 + len > buf.length) return undefined;
    total += len + 1;
    if (total > MAX_NAME_LENGTH) return undefined;
    labels.push(labelText(buf, pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return { name: labels.length === 0 ? '.' : labels.join('.'), next };
}

function labelText(buf: Buffer, start: number, end: number): string {
  let plain = true;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c <= 0x20 || c >= 0x7f || c === 0x2e || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return buf.toString('latin1', start, end);
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c <= 0x20 || c >= 0x7f) s += `\\${String(c).padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

function readRecords(buf: Buffer, off: number, count: number, out: DnsRecord[]): number | string {
  let pos = off;
  for (let i = 0; i < count; i++) {
    const n = readName(buf, pos);
    if (n === undefined) return 'bad record name';
    pos = n.next;
    if (pos + 10 > buf.length) return 'record header cut short';
    const type = buf.readUInt16BE(pos);
    const cls = buf.readUInt16BE(pos + 2);
    const ttl = buf.readUInt32BE(pos + 4);
    const rdlen = buf.readUInt16BE(pos + 8);
    pos += 10;
    if (pos + rdlen > buf.length) return 'record data cut short';
    const data = formatRdata(buf, pos, rdlen, type, cls, ttl);
    out.push({ name: n.name, type, class: cls, ttl, data: data ?? `\\# ${rdlen} ${buf.toString('hex', pos, pos + rdlen)}` });
    pos += rdlen;
  }
  return pos;
}

/** Decodes one DNS message; undefined when it is shorter than the 12-byte header. */
export function decodeDns(buf: Buffer): DnsMessage | undefined {
  if (buf.length < 12) return undefined;
  const flags = buf.readUInt16BE(2);
  const m: DnsMessage = {
    id: buf.readUInt16BE(0),
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    authenticData: (flags & 0x0020) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
    qdcount: buf.readUInt16BE(4),
    ancount: buf.readUInt16BE(6),
    nscount: buf.readUInt16BE(8),
    arcount: buf.readUInt16BE(10),
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    size: buf.length,
  };
  let pos = 12;
  for (let i = 0; i < m.qdcount; i++) {
    const n = readName(buf, pos);
    if (n === undefined || n.next + 4 > buf.length) {
      m.error = 'bad question';
      return m;
    }
    m.questions.push({ name: n.name, type: buf.readUInt16BE(n.next), class: buf.readUInt16BE(n.next + 2) });
    pos = n.next + 4;
  }
  const sections: Array<[number, DnsRecord[]]> = [
    [m.ancount, m.answers],
    [m.nscount, m.authorities],
    [m.arcount, m.additionals],
  ];
  for (const [count, out] of sections) {
    const r = readRecords(buf, pos, count, out);
    if (typeof r === 'string') {
      m.error = r;
      break;
    }
    pos = r;
  }
  const opt = m.additionals.find((r) => r.type === TYPE.OPT);
  if (opt !== undefined) m.rcode |= ((opt.ttl >>> 24) & 0xff) << 4;
  return m;
}
