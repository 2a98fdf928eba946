/** One memcache request or response, text or binary, as the parsers produce it. */
export interface McMessage {
  protocol: 'text' | 'binary';
  isRequest: boolean;
  /** Capture time of the first byte / of the last byte. */
  ts: number;
  endTs: number;
  /** Wire size (for UDP: without the 8-byte frame headers). */
  bytes: number;
  /** Text: command word (lower case) or first word of the response; binary: opcode name. */
  command: string;
  /** Packetbeat's command class: Load, Store, Delete, Counter, Info, Stats, Auth, SlabCtrl, LRUCrawler, Meta, Unknown, ... */
  type: string;
  /** Text: the command or response line (without the data block). */
  line?: string;
  /** Set on the placeholder for a run of requests beyond the pending limit: how many replies to skip. */
  untracked?: number;
  /** A text command word the parser does not know (kept only with `parseunknown`). */
  unknown?: boolean;
  keys: string[];
  noreply?: boolean;
  quiet?: boolean;
  flags?: number;
  exptime?: number;
  casUnique?: string;
  delta?: string;
  initial?: string;
  verbosity?: number;
  rawArgs?: string;
  sourceClass?: number;
  destClass?: number;
  automove?: string;
  sleepUs?: number;
  /** Values carried (storage requests, retrieval responses): how many, their total size, the kept ones. */
  countValues: number;
  valueBytes: number;
  values: string[];
  /** Counter result (text numeric reply, binary incr/decr). */
  counter?: string;
  errorMsg?: string;
  version?: string;
  stats?: { name: string; value: string }[];
  // Binary header fields.
  opcode?: number;
  opaque?: number;
  vbucket?: number;
  status?: number;
  cas?: string;
}

/** Limits that bound what a parser keeps of values (`maxvalues`, `maxbytespervalue`). */
export interface ValueLimits {
  /** Values kept per message: 0 none, -1 all. */
  maxValues: number;
  /** Bytes kept per value (more are counted, not stored). */
  maxBytesPerValue: number;
}

/** Stats entries kept per response. */
export const MAX_STATS = 1000;

export function newMessage(protocol: 'text' | 'binary', isRequest: boolean, ts: number): McMessage {
  return { protocol, isRequest, ts, endTs: ts, bytes: 0, command: '', type: 'Unknown', keys: [], countValues: 0, valueBytes: 0, values: [] };
}

export function keepValue(limits: ValueLimits, m: McMessage): number {
  if (limits.maxValues === 0) return 0;
  if (limits.maxValues > 0 && m.values.length >= limits.maxValues) return 0;
  return limits.maxBytesPerValue;
}
