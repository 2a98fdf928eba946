import { readName } from './decoder.js';
import { typeName } from './names.js';
import { ipv6Text } from '../../decoder/ip-text.js';

/** Presentation form of the RDATA of the common record types; undefined when unknown or malformed. */
export function formatRdata(
  msg: Buffer,
  off: number,
  len: number,
  type: number,
  cls: number,
  ttl: number,
): string | string[] | undefined {
  const end = off + len;
  const u16 = (p: number): number => msg.readUInt16BE(p);
  const u32 = (p: number): number => msg.readUInt32BE(p);
  /** A name that must end inside the RDATA. */
  const name = (p: number): { name: string; next: number } | undefined => {
    const n = readName(msg, p);
    return n !== undefined && n.next <= end ? n : undefined;
  };
  const hex = (p: number): string => msg.toString('hex', p, end).toUpperCase();
  const b64 = (p: number): string => msg.toString('base64', p, end);
  switch (type) {
    case 1: // A
      return len === 4 ? `${msg[off]}.${msg[off + 1]}.${msg[off + 2]}.${msg[off + 3]}` : undefined;
    case 28: // AAAA
      return len === 16 ? formatIPv6(msg.subarray(off, end)) : undefined;
    case 2: // NS
    case 3: // MD
    case 4: // MF
    case 5: // CNAME
    case 7: // MB
    case 8: // MG
    case 9: // MR
    case 12: // PTR
    case 39: // DNAME
      return name(off)?.name;
    case 15: // MX
    case 18: // AFSDB
    case 36: {
      // KX
      if (len < 3) return undefined;
      const n = name(off + 2);
      return n && `${u16(off)} ${n.name}`;
    }
    case 6: {
      // SOA
      const m = name(off);
      const r = m && name(m.next);
      if (!m || !r || r.next + 20 > end) return undefined;
      const p = r.next;
      return `${m.name} ${r.name} ${u32(p)} ${u32(p + 4)} ${u32(p + 8)} ${u32(p + 12)} ${u32(p + 16)}`;
    }
    case 33: {
      // SRV
      if (len < 7) return undefined;
      const n = name(off + 6);
      return n && `${u16(off)} ${u16(off + 2)} ${u16(off + 4)} ${n.name}`;
    }
    case 16: // TXT
    case 99: // SPF
      return charStrings(msg, off, end);
    case 13: {
      // HINFO
      const s = charStrings(msg, off, end);
      return s && s.map(quote).join(' ');
    }
    case 257: {
      // CAA
      if (len < 2) return undefined;
      const tagLen = msg[off + 1] as number;
      if (off + 2 + tagLen > end) return undefined;
      const tag = msg.toString('latin1', off + 2, off + 2 + tagLen);
      return `${msg[off]} ${tag} ${quote(msg.toString('latin1', off + 2 + tagLen, end))}`;
    }
    case 35: {
      // NAPTR
      if (len < 4) return undefined;
      const parts: string[] = [];
      let p = off + 4;
      for (let i = 0; i < 3; i++) {
        if (p >= end) return undefined;
        const l = msg[p] as number;
        if (p + 1 + l > end) return undefined;
        parts.push(quote(msg.toString('latin1', p + 1, p + 1 + l)));
        p += 1 + l;
      }
      const n = name(p);
      return n && `${u16(off)} ${u16(off + 2)} ${parts.join(' ')} ${n.name}`;
    }
    case 41: {
      // OPT (EDNS0): class is the UDP payload size, ttl holds version and the DO bit
      const opts: string[] = [];
      let p = off;
      while (p + 4 <= end) {
        const code = u16(p);
        const l = u16(p + 2);
        if (p + 4 + l > end) return undefined;
        opts.push(`${ednsOption(code)}=${msg.toString('hex', p + 4, p + 4 + l)}`);
        p += 4 + l;
      }
      const version = (ttl >>> 16) & 0xff;
      const dnssecOk = (ttl & 0x8000) !== 0;
      return [`version ${version}`, `udp ${cls}`, `do ${dnssecOk}`, ...opts].join(', ');
    }
    case 43: // DS
    case 59: // CDS
      return len < 5 ? undefined : `${u16(off)} ${msg[off + 2]} ${msg[off + 3]} ${hex(off + 4)}`;
    case 48: // DNSKEY
    case 60: // CDNSKEY
    case 25: // KEY
      return len < 4 ? undefined : `${u16(off)} ${msg[off + 2]} ${msg[off + 3]} ${b64(off + 4)}`;
    case 46: // RRSIG
    case 24: {
      // SIG
      if (len < 18) return undefined;
      const signer = name(off + 18);
      if (!signer) return undefined;
      return [
        typeName(u16(off)),
        msg[off + 2],
        msg[off + 3],
        u32(off + 4),
        u32(off + 8),
        u32(off + 12),
        u16(off + 16),
        signer.name,
        b64(signer.next),
      ].join(' ');
    }
    case 44: // SSHFP
      return len < 2 ? undefined : `${msg[off]} ${msg[off + 1]} ${hex(off + 2)}`;
    case 52: // TLSA
    case 53: // SMIMEA
      return len < 3 ? undefined : `${msg[off]} ${msg[off + 1]} ${msg[off + 2]} ${hex(off + 3)}`;
    default:
      return undefined;
  }
}

/** A sequence of <character-string>s (length byte + bytes) filling [off, end). */
function charStrings(msg: Buffer, off: number, end: number): string[] | undefined {
  const out: string[] = [];
  let p = off;
  while (p < end) {
    const l = msg[p] as number;
    if (p + 1 + l > end) return undefined;
    out.push(msg.toString('utf8', p + 1, p + 1 + l));
    p += 1 + l;
  }
  return out;
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function ednsOption(code: number): string {
  switch (code) {
    case 3:
      return 'nsid';
    case 8:
      return 'subnet';
    case 10:
      return 'cookie';
    case 11:
      return 'keepalive';
    case 12:
      return 'padding';
    default:
      return `option${code}`;
  }
}

/** RFC 5952 text form of a 16-byte IPv6 address (the engine's formatter). */
export function formatIPv6(b: Buffer): string {
  return ipv6Text(b, 0);
}
