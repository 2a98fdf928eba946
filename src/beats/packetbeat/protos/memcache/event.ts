import type { Endpoint } from '../protocol.js';
import { NOTE_NO_RESPONSE, Status, transactionEvent, type TransactionStatus } from '../transaction.js';
import type { BeatEvent } from '../../../../libbeat/common/event.js';
import { STATUS_NAMES } from './binary-parser.js';
import type { McMessage } from './message.js';

const TEXT_ERRORS = new Set(['NOT_STORED', 'NOT_FOUND', 'ERROR', 'CLIENT_ERROR', 'SERVER_ERROR']);

/** True when the request gets no reply by design (noreply, text quit); binary quiet commands may get one. */
export function expectsNoReply(m: McMessage): boolean {
  return m.noreply === true || (m.protocol === 'text' && m.command === 'quit');
}

/** Packetbeat's memcache status rules. */
export function transactionStatus(req: McMessage | undefined, resp: McMessage | undefined): TransactionStatus {
  if (resp === undefined) return req !== undefined && (expectsNoReply(req) || req.quiet === true) ? Status.ok : Status.error;
  if (resp.protocol === 'binary') return resp.status === 0 ? Status.ok : Status.error;
  return TEXT_ERRORS.has(resp.command) ? Status.error : Status.ok;
}

export interface McTransactionOpts {
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  sendRequest: boolean;
  sendResponse: boolean;
  note?: string | undefined;
}

function requestFields(m: McMessage): Record<string, unknown> {
  const f: Record<string, unknown> = { command: m.command, type: m.type };
  if (m.line !== undefined) f['line'] = m.line;
  if (m.opcode !== undefined) {
    f['opcode'] = m.command;
    f['opcode_value'] = m.opcode;
    f['opaque'] = m.opaque;
    f['vbucket'] = m.vbucket;
  }
  if (m.keys.length > 0) f['keys'] = m.keys;
  if (m.countValues > 0) {
    f['count_values'] = m.countValues;
    f['bytes'] = m.valueBytes;
  }
  if (m.values.length > 0) f['values'] = m.values;
  set(f, 'flags', m.flags);
  set(f, 'exptime', m.exptime);
  set(f, 'delta', num(m.delta));
  set(f, 'initial', num(m.initial));
  set(f, 'verbosity', m.verbosity);
  set(f, 'raw_args', m.rawArgs);
  set(f, 'source_class', m.sourceClass);
  set(f, 'dest_class', m.destClass);
  set(f, 'automove', m.automove);
  set(f, 'sleep_us', m.sleepUs);
  set(f, 'cas_unique', num(m.casUnique ?? m.cas));
  if (m.noreply) f['noreply'] = true;
  if (m.quiet) f['quiet'] = true;
  return f;
}

function responseFields(m: McMessage): Record<string, unknown> {
  const f: Record<string, unknown> = { command: m.command, type: m.type };
  if (m.opcode !== undefined) {
    f['opcode'] = m.command;
    f['opcode_value'] = m.opcode;
    f['opaque'] = m.opaque;
    f['status'] = STATUS_NAMES[m.status ?? 0] ?? `0x${(m.status ?? 0).toString(16)}`;
    f['status_code'] = m.status;
    f['type'] = m.status === 0 ? m.type : 'Fail';
  }
  if (m.keys.length > 0) f['keys'] = m.keys;
  if (m.countValues > 0 || (m.protocol === 'text' && m.command === 'END')) f['count_values'] = m.countValues;
  if (m.countValues > 0 || (m.version !== undefined && m.protocol === 'binary')) f['bytes'] = m.valueBytes;
  if (m.values.length > 0) f['values'] = m.values;
  set(f, 'flags', m.flags);
  set(f, 'value', num(m.counter));
  set(f, 'error_msg', m.errorMsg);
  set(f, 'version', m.version);
  set(f, 'cas_unique', num(m.casUnique ?? m.cas));
  if (m.stats !== undefined) f['stats'] = m.stats;
  return f;
}

/** Decimal text as a number when it is exact in a double, else kept as text. */
function num(s: string | undefined): number | string | undefined {
  if (s === undefined) return undefined;
  const n = Number(s);
  return /^\d+$/.test(s) && Number.isSafeInteger(n) ? n : s;
}

function set(f: Record<string, unknown>, k: string, v: unknown): void {
  if (v !== undefined) f[k] = v;
}

/** The event of one memcache transaction (either side may be missing). */
export function memcacheEvent(req: McMessage | undefined, resp: McMessage | undefined, o: McTransactionOpts): BeatEvent {
  const first = (req ?? resp)!;
  const status = transactionStatus(req, resp);
  const memcache: Record<string, unknown> = { protocol_type: first.protocol };
  if (req !== undefined) memcache['request'] = requestFields(req);
  if (resp !== undefined) memcache['response'] = responseFields(resp);
  const notes: string[] = [];
  if (o.note !== undefined) notes.push(o.note);
  else if (resp === undefined && status === Status.error) notes.push(NOTE_NO_RESPONSE);
  return transactionEvent({
    type: 'memcache',
    transport: o.transport,
    client: o.client,
    server: o.server,
    requestTs: first.ts,
    responseTs: resp !== undefined && req !== undefined ? resp.endTs : undefined,
    status,
    method: req?.command,
    query: req?.line,
    bytesIn: req?.bytes,
    bytesOut: resp?.bytes,
    notes,
    request: o.sendRequest && req !== undefined ? (req.line ?? `${req.command} ${req.keys.join(' ')}`.trim()) : undefined,
    response: o.sendResponse && resp !== undefined ? (resp.line ?? responseFields(resp)['status'] as string) : undefined,
    fields: { memcache },
  });
}
