import type { BeatEvent } from '../../../libbeat/common/event.js';
import type { Endpoint } from './protocol.js';

/** The 1.0 `status` values of a transaction. */
export const Status = {
  ok: 'OK',
  error: 'Error',
  clientError: 'Client Error',
  serverError: 'Server Error',
} as const;
export type TransactionStatus = (typeof Status)[keyof typeof Status];

/** Note added to a request that never got its response (timeout, connection closed, end of capture). */
export const NOTE_NO_RESPONSE = 'Response not found';
/** Note on requests given up because bytes of their response were lost in capture. */
export const NOTE_GAP = 'Packet loss while capturing the response';
/** Note added to a response that arrived without a known request. */
export const NOTE_NO_REQUEST = 'Request not found';

/**
 * What every protocol knows about one request/response exchange; `transactionEvent` turns it into the event with
 * the Beats 1.0 common fields (shared reference §4.5). Protocol-specific fields go in `fields`
 * (e.g. `{ http: {...} }`, `{ mysql: {...} }`).
 */
export interface Transaction {
  type: string;
  transport: 'tcp' | 'udp';
  client: Endpoint;
  server: Endpoint;
  /** Capture time of the first byte of the request (ms since epoch); the response's when there is no request. */
  requestTs: number;
  /** Capture time of the end of the response; undefined when there is no response. */
  responseTs?: number | undefined;
  status: TransactionStatus;
  method?: string | undefined;
  path?: string | undefined;
  query?: string | undefined;
  params?: string | undefined;
  /** Application-layer bytes of the request / the response. */
  bytesIn?: number | undefined;
  bytesOut?: number | undefined;
  notes?: readonly string[] | undefined;
  /** Raw request / response text, included when `send_request` / `send_response` are on. */
  request?: string | undefined;
  response?: string | undefined;
  /** Protocol-specific fields, merged at the top level of the event. */
  fields?: Record<string, unknown> | undefined;
}

/** Builds the transaction event. `direction` is left to the engine (it knows the local addresses). */
export function transactionEvent(t: Transaction): BeatEvent {
  const f: Record<string, unknown> = {
    type: t.type,
    transport: t.transport,
    status: t.status,
    client_ip: t.client.ip,
    client_port: t.client.port,
    ip: t.server.ip,
    port: t.server.port,
  };
  if (t.responseTs !== undefined) f['responsetime'] = Math.max(0, Math.round(t.responseTs - t.requestTs));
  if (t.method !== undefined) f['method'] = t.method;
  if (t.path !== undefined) f['path'] = t.path;
  if (t.query !== undefined) f['query'] = t.query;
  if (t.params !== undefined) f['params'] = t.params;
  if (t.bytesIn !== undefined) f['bytes_in'] = t.bytesIn;
  if (t.bytesOut !== undefined) f['bytes_out'] = t.bytesOut;
  if (t.notes !== undefined && t.notes.length > 0) f['notes'] = [...t.notes];
  if (t.request !== undefined) f['request'] = t.request;
  if (t.response !== undefined) f['response'] = t.response;
  if (t.fields) Object.assign(f, t.fields);
  return { timestamp: new Date(Math.floor(t.requestTs)), fields: f };
}
