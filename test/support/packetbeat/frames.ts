/**
 * Builds link-layer frames for synthetic captures: Ethernet (optionally VLAN-tagged), Linux SLL, BSD null, with
 * IPv4 (optionally fragmented) or IPv6 carrying TCP or UDP. Checksums are left zero (the decoder does not check).
 */

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  payload?: Buffer | string;
}

export interface UdpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Buffer | string;
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

function toBuf(p: Buffer | string | undefined): Buffer {
  return p === undefined ? Buffer.alloc(0) : typeof p === 'string' ? Buffer.from(p) : p;
}

export function tcpSegment(s: TcpSpec): Buffer {
  const payload = toBuf(s.payload);
  const h = Buffer.alloc(20);
  h.writeUInt16BE(s.sport, 0);
  h.writeUInt16BE(s.dport, 2);
  h.writeUInt32BE(s.seq >>> 0, 4);
  h.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  h[12] = 5 << 4;
  h[13] = s.flags;
  h.writeUInt16BE(65535, 14);
  return Buffer.concat([h, payload]);
}

export function udpDatagram(s: UdpSpec): Buffer {
  const payload = toBuf(s.payload);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(s.sport, 0);
  h.writeUInt16BE(s.dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

function v4(addr: string): Buffer {
  return Buffer.from(addr.split('.').map((x) => Number(x)));
}

function v6(addr: string): Buffer {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const h = head ? head.split(':').filter(Boolean) : [];
  const t = tail ? tail.split(':').filter(Boolean) : [];
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

let ipId = 1;

/** IPv4 packet(s) around a transport segment; with `fragmentSize`, split into fragments of that many bytes (multiple of 8). */
export function ipv4(src: string, dst: string, proto: number, body: Buffer, fragmentSize?: number): Buffer[] {
  const id = ipId++ & 0xffff;
  const pieces: { off: number; data: Buffer; more: boolean }[] = [];
  if (fragmentSize === undefined || body.length <= fragmentSize) pieces.push({ off: 0, data: body, more: false });
  else {
    for (let off = 0; off < body.length; off += fragmentSize) {
      pieces.push({ off, data: body.subarray(off, off + fragmentSize), more: off + fragmentSize < body.length });
    }
  }
  return pieces.map((p) => {
    const h = Buffer.alloc(20);
    h[0] = 0x45;
    h.writeUInt16BE(20 + p.data.length, 2);
    h.writeUInt16BE(id, 4);
    h.writeUInt16BE((p.more ? 0x2000 : 0) | (p.off / 8), 6);
    h[8] = 64;
    h[9] = proto;
    v4(src).copy(h, 12);
    v4(dst).copy(h, 16);
    return Buffer.concat([h, p.data]);
  });
}

export function ipv6(src: string, dst: string, proto: number, body: Buffer): Buffer {
  const h = Buffer.alloc(40);
  h[0] = 0x60;
  h.writeUInt16BE(body.length, 4);
  h[6] = proto;
  h[7] = 64;
  v6(src).copy(h, 8);
  v6(dst).copy(h, 24);
  return Buffer.concat([h, body]);
}

/** Ethernet II with optional VLAN tags (outer first; 0x88a8 for the outer tag when there are two). */
export function ethernet(ip: Buffer, vlans: number[] = []): Buffer {
  const isV6 = ip[0]! >> 4 === 6;
  const parts: Buffer[] = [Buffer.alloc(12)];
  vlans.forEach((vid, i) => {
    const t = Buffer.alloc(4);
    t.writeUInt16BE(vlans.length > 1 && i === 0 ? 0x88a8 : 0x8100, 0);
    t.writeUInt16BE(vid, 2);
    parts.push(t);
  });
  const et = Buffer.alloc(2);
  et.writeUInt16BE(isV6 ? 0x86dd : 0x0800, 0);
  parts.push(et, ip);
  return Buffer.concat(parts);
}

/** Linux cooked capture v1 header + IP. */
export function sll(ip: Buffer): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt16BE(0, 0);
  h.writeUInt16BE(772, 2);
  h.writeUInt16BE(6, 4);
  h.writeUInt16BE(ip[0]! >> 4 === 6 ? 0x86dd : 0x0800, 14);
  return Buffer.concat([h, ip]);
}

/** BSD null/loopback (address family in little-endian host order). */
export function bsdNull(ip: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32LE(ip[0]! >> 4 === 6 ? 30 : 2, 0);
  return Buffer.concat([h, ip]);
}

export function isV6(addr: string): boolean {
  return addr.includes(':');
}

/** One IP packet (unfragmented) carrying a TCP segment. */
export function tcpIp(s: TcpSpec): Buffer {
  const seg = tcpSegment(s);
  return isV6(s.src) ? ipv6(s.src, s.dst, 6, seg) : ipv4(s.src, s.dst, 6, seg)[0]!;
}

export function udpIp(s: UdpSpec, fragmentSize?: number): Buffer[] {
  const d = udpDatagram(s);
  return isV6(s.src) ? [ipv6(s.src, s.dst, 17, d)] : ipv4(s.src, s.dst, 17, d, fragmentSize);
}

/**
 * A scripted TCP conversation: tracks both sides' sequence numbers so tests write only what is sent.
 * `segments` returns TCP specs in the order written; tests then reorder, drop or duplicate them.
 */
export class Conversation {
  readonly client: { ip: string; port: number };
  readonly server: { ip: string; port: number };
  #cseq: number;
  #sseq: number;
  readonly segments: TcpSpec[] = [];

  constructor(client: { ip: string; port: number }, server: { ip: string; port: number }, isn = [1000, 5000]) {
    this.client = client;
    this.server = server;
    this.#cseq = isn[0]!;
    this.#sseq = isn[1]!;
  }

  #spec(fromClient: boolean, flags: number, payload?: string | Buffer): TcpSpec {
    const a = fromClient ? this.client : this.server;
    const b = fromClient ? this.server : this.client;
    const s: TcpSpec = { src: a.ip, dst: b.ip, sport: a.port, dport: b.port, seq: fromClient ? this.#cseq : this.#sseq, ack: fromClient ? this.#sseq : this.#cseq, flags };
    if (payload !== undefined) s.payload = payload;
    const len = toBuf(payload).length + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0);
    if (fromClient) this.#cseq = (this.#cseq + len) >>> 0;
    else this.#sseq = (this.#sseq + len) >>> 0;
    this.segments.push(s);
    return s;
  }

  handshake(): this {
    this.#spec(true, SYN);
    this.#spec(false, SYN | ACK);
    this.#spec(true, ACK);
    return this;
  }

  client_(payload: string | Buffer): this {
    this.#spec(true, PSH | ACK, payload);
    return this;
  }

  server_(payload: string | Buffer): this {
    this.#spec(false, PSH | ACK, payload);
    return this;
  }

  close(): this {
    this.#spec(true, FIN | ACK);
    this.#spec(false, FIN | ACK);
    this.#spec(true, ACK);
    return this;
  }
}
