/** Builds DNS wire messages for tests (no compression unless a record's bytes include pointers). */
export interface RR {
  name: string | Buffer;
  type: number;
  class?: number;
  ttl?: number;
  rdata: Buffer;
}

export interface MsgSpec {
  id?: number;
  flags?: number;
  questions?: Array<{ name: string | Buffer; type: number; class?: number }>;
  answers?: RR[];
  authorities?: RR[];
  additionals?: RR[];
  /** Override the header counts (to announce more records than present). */
  counts?: [number, number, number, number];
}

export function name(n: string): Buffer {
  if (n === '.' || n === '') return Buffer.from([0]);
  const parts = n.split('.').map((l) => Buffer.concat([Buffer.from([Buffer.byteLength(l)]), Buffer.from(l)]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

const u16 = (v: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
};
const u32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};

export { u16, u32 };

function rr(r: RR): Buffer {
  const n = typeof r.name === 'string' ? name(r.name) : r.name;
  return Buffer.concat([n, u16(r.type), u16(r.class ?? 1), u32(r.ttl ?? 60), u16(r.rdata.length), r.rdata]);
}

export function message(s: MsgSpec): Buffer {
  const q = s.questions ?? [];
  const an = s.answers ?? [];
  const ns = s.authorities ?? [];
  const ar = s.additionals ?? [];
  const counts = s.counts ?? [q.length, an.length, ns.length, ar.length];
  return Buffer.concat([
    u16(s.id ?? 0x1234),
    u16(s.flags ?? 0x0100),
    ...counts.map(u16),
    ...q.map((x) => Buffer.concat([typeof x.name === 'string' ? name(x.name) : x.name, u16(x.type), u16(x.class ?? 1)])),
    ...an.map(rr),
    ...ns.map(rr),
    ...ar.map(rr),
  ]);
}

/** A standard query for `qname`/`qtype`. */
export function query(id: number, qname: string, qtype = 1): Buffer {
  return message({ id, flags: 0x0100, questions: [{ name: qname, type: qtype }] });
}

/** A response to `qname`/`qtype` with A answers. */
export function response(id: number, qname: string, ips: string[], rcode = 0): Buffer {
  return message({
    id,
    flags: 0x8180 | rcode,
    questions: [{ name: qname, type: 1 }],
    answers: ips.map((ip) => ({ name: qname, type: 1, rdata: Buffer.from(ip.split('.').map(Number)) })),
  });
}
