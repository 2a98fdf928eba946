import type { Endpoint } from '../protocol.js';
import { NOTE_NO_REQUEST, NOTE_NO_RESPONSE, Status, type Transaction } from '../transaction.js';
import type { DnsConfig } from './config.js';
import type { DnsMessage, DnsRecord } from './decoder.js';
import { TYPE, className, opcodeName, rcodeName, typeName } from './names.js';

/** A decoded message with the capture time it was seen at. */
export interface TimedDns {
  msg: DnsMessage;
  ts: number;
}

function recordFields(r: DnsRecord): Record<string, unknown> {
  // An OPT pseudo-record's class and TTL hold EDNS0 parameters, shown in its data instead.
  if (r.type === TYPE.OPT) return { name: r.name, type: 'OPT', data: r.data };
  return { name: r.name, type: typeName(r.type), class: className(r.class), ttl: r.ttl, data: r.data };
}

/** `class IN, type A, www.beat.test` */
export function queryText(m: DnsMessage): string | undefined {
  const q = m.questions[0];
  return q && `class ${className(q.class)}, type ${typeName(q.type)}, ${q.name}`;
}

/** Builds the transaction of a query and its response; either may be missing. */
export function dnsTransaction(
  query: TimedDns | undefined,
  response: TimedDns | undefined,
  client: Endpoint,
  server: Endpoint,
  transport: 'tcp' | 'udp',
  cfg: DnsConfig,
  extraNotes: readonly string[] = [],
): Transaction {
  const main = (response ?? query) as TimedDns;
  const m = main.msg;
  const q = (query ?? response) as TimedDns;
  const notes: string[] = [];
  const dns: Record<string, unknown> = {
    id: m.id,
    op_code: opcodeName(m.opcode),
    flags: {
      authoritative: m.authoritative,
      recursion_allowed: m.recursionAvailable,
      recursion_desired: q.msg.recursionDesired,
      truncated_response: m.truncated,
    },
  };
  const question = q.msg.questions[0];
  if (question !== undefined) {
    dns['question'] = { name: question.name, type: typeName(question.type), class: className(question.class) };
  }
  const t: Transaction = {
    type: 'dns',
    transport,
    client,
    server,
    requestTs: q.ts,
    status: Status.error,
    method: opcodeName(q.msg.opcode),
    fields: { dns },
  };
  if (question !== undefined) {
    t.path = question.name;
    t.query = queryText(q.msg);
  }
  if (query !== undefined) {
    t.bytesIn = query.msg.size;
    if (query.msg.error !== undefined) notes.push(`Query: ${query.msg.error}`);
    if (cfg.sendRequest) t.request = dnsText(query.msg);
  } else notes.push(NOTE_NO_REQUEST);
  if (response !== undefined) {
    const r = response.msg;
    t.responseTs = response.ts;
    t.bytesOut = r.size;
    t.status = r.rcode === 0 ? Status.ok : Status.error;
    dns['response_code'] = rcodeName(r.rcode);
    dns['answers_count'] = r.ancount;
    dns['answers'] = r.answers.map(recordFields);
    dns['authorities_count'] = r.nscount;
    if (cfg.includeAuthorities) dns['authorities'] = r.authorities.map(recordFields);
    dns['additionals_count'] = r.arcount;
    if (cfg.includeAdditionals) dns['additionals'] = r.additionals.map(recordFields);
    if (r.error !== undefined) notes.push(`Response: ${r.error}`);
    if (cfg.sendResponse) t.response = dnsText(r);
  } else notes.push(NOTE_NO_RESPONSE);
  notes.push(...extraNotes);
  if (notes.length > 0) t.notes = notes;
  return t;
}

/** A dig-like text form of a message, for `request` / `response`. */
export function dnsText(m: DnsMessage): string {
  const flags: string[] = [];
  if (m.response) flags.push('qr');
  if (m.authoritative) flags.push('aa');
  if (m.truncated) flags.push('tc');
  if (m.recursionDesired) flags.push('rd');
  if (m.recursionAvailable) flags.push('ra');
  if (m.authenticData) flags.push('ad');
  if (m.checkingDisabled) flags.push('cd');
  const lines = [
    `;; opcode: ${opcodeName(m.opcode)}, status: ${rcodeName(m.rcode)}, id: ${m.id}`,
    `;; flags: ${flags.join(' ')}; QUERY: ${m.qdcount}, ANSWER: ${m.ancount}, AUTHORITY: ${m.nscount}, ADDITIONAL: ${m.arcount}`,
  ];
  if (m.questions.length > 0) {
    lines.push('', ';; QUESTION SECTION:');
    for (const q of m.questions) lines.push(`;${q.name}\t${className(q.class)}\t${typeName(q.type)}`);
  }
  const section = (title: string, rs: DnsRecord[]): void => {
    if (rs.length === 0) return;
    lines.push('', `;; ${title} SECTION:`);
    for (const r of rs) {
      const data = Array.isArray(r.data) ? r.data.map((s) => JSON.stringify(s)).join(' ') : r.data;
      lines.push(`${r.name}\t${r.ttl}\t${className(r.class)}\t${typeName(r.type)}\t${data}`);
    }
  };
  section('ANSWER', m.answers);
  section('AUTHORITY', m.authorities);
  section('ADDITIONAL', m.additionals);
  return lines.join('\n');
}
