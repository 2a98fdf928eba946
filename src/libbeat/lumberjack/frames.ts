/**
 * Lumberjack frames (v1: logstash-forwarder, v2: Beats ↔ Logstash beats input). Every frame starts with a
 * version byte (`'1'` or `'2'`) and a type byte; integers are unsigned 32-bit big-endian.
 *
 * | type | layout after the 2-byte header                         | direction        |
 * | `W`  | count                                                  | sender → reader  |
 * | `D`  | seq, pairs, (key length, key, value length, value)*    | sender → reader  (v1) |
 * | `J`  | seq, length, JSON document                             | sender → reader  (v2) |
 * | `C`  | length, zlib stream holding complete frames            | sender → reader  |
 * | `A`  | seq (everything up to seq of the current window)       | reader → sender  |
 */
export type LjVersion = 1 | 2;

export type Frame =
  | { kind: 'window'; version: LjVersion; size: number }
  | { kind: 'data'; version: LjVersion; seq: number; fields: Record<string, string> }
  | { kind: 'json'; version: LjVersion; seq: number; payload: Buffer }
  /** Only reported when the decoder is told not to inflate (its frames are otherwise emitted in its place). */
  | { kind: 'compressed'; version: LjVersion; payload: Buffer }
  | { kind: 'ack'; version: LjVersion; seq: number };

export const VERSION_1 = 0x31; // '1'
export const VERSION_2 = 0x32; // '2'
export const TYPE_WINDOW = 0x57; // 'W'
export const TYPE_DATA = 0x44; // 'D'
export const TYPE_JSON = 0x4a; // 'J'
export const TYPE_COMPRESSED = 0x43; // 'C'
export const TYPE_ACK = 0x41; // 'A'

export const versionByte = (v: LjVersion): number => (v === 1 ? VERSION_1 : VERSION_2);
