import type { JsonDoc, JsonValue } from './bson.js';

export const OP = {
  REPLY: 1,
  UPDATE: 2001,
  INSERT: 2002,
  QUERY: 2004,
  GET_MORE: 2005,
  DELETE: 2006,
  KILL_CURSORS: 2007,
  COMPRESSED: 2012,
  MSG: 2013,
} as const;

export const OPCODE_NAMES: Record<number, string> = {
  1: 'OP_REPLY',
  2001: 'OP_UPDATE',
  2002: 'OP_INSERT',
  2004: 'OP_QUERY',
  2005: 'OP_GET_MORE',
  2006: 'OP_DELETE',
  2007: 'OP_KILL_CURSORS',
  2012: 'OP_COMPRESSED',
  2013: 'OP_MSG',
};

/** Largest message accepted (MongoDB's maxMessageSizeBytes). */
export const MAX_MESSAGE = 48_000_000;
export const MAX_PENDING = 1000;

export interface MongoRequest {
  requestId: number;
  ts: number;
  bytes: number;
  opCode: number;
  method?: string | undefined;
  /** `db.collection` (fullCollectionName), or `db` for commands without a collection. */
  collection?: string | undefined;
  /** Packetbeat 1.0 `mongodb.*` request fields. */
  fields: Record<string, JsonValue>;
  /** The query / command text (`db.coll.find({...})`). */
  query?: string | undefined;
  expectsReply: boolean;
  note?: string | undefined;
}

export interface MongoReply {
  ts: number;
  bytes: number;
  fields: Record<string, JsonValue>;
  error?: string | undefined;
  docs: JsonDoc[];
}

export interface MongoExchange {
  req: MongoRequest;
  reply?: MongoReply | undefined;
}

export interface MongoParserOptions {
  /** Cut of the query text and of each response document (0 = unlimited). */
  maxDocLength: number;
  /** Reply documents decoded for `response` (0 = none, -1 = all): replies are otherwise only skimmed. */
  maxDocs: number;
}
