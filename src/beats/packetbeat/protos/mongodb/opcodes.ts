import { BsonError, docJson, docSize, firstKey, forEachElement, readDoc, readValueAt, type BsonElement, type JsonDoc, type JsonValue } from './bson.js';
import { OP, type MongoParserOptions, type MongoReply, type MongoRequest } from './types.js';

/** Command-document keys that only carry session / routing noise, left out of the query text. */
const NOISE = new Set(['$db', 'lsid', '$clusterTime', '$readPreference', 'txnNumber', 'autocommit', 'apiVersion']);

/**
 * Reads the body of each opcode into the request / reply fields: collection, method, the query text (JSON written
 * straight from the BSON bytes, cut at max_doc_length), numbers and documents of replies (up to max_docs).
 */
export class OpcodeDecoder {
  readonly #opts: MongoParserOptions;

  constructor(opts: MongoParserOptions) {
    this.#opts = opts;
  }

  /** Decodes a request's body into `req`; false for opcodes that are not transactions (OP_COMMAND, unknown). */
  request(opCode: number, body: Buffer, req: MongoRequest): boolean {
    switch (opCode) {
      case OP.QUERY:
        this.#opQuery(body, req);
        return true;
      case OP.GET_MORE:
        this.#opGetMore(body, req);
        return true;
      case OP.INSERT:
        this.#opInsert(body, req);
        return true;
      case OP.UPDATE:
        this.#opUpdate(body, req);
        return true;
      case OP.DELETE:
        this.#opDelete(body, req);
        return true;
      case OP.KILL_CURSORS:
        this.#opKillCursors(body, req);
        return true;
      case OP.MSG:
        this.#opMsg(body, req);
        return true;
      default:
        return false;
    }
  }

  /** Decodes a reply's body (OP_REPLY or OP_MSG) into `reply`. */
  reply(opCode: number, body: Buffer, reply: MongoReply): void {
    if (opCode === OP.REPLY) this.#opReply(body, reply);
    else if (opCode === OP.MSG) this.#msgReply(body, reply);
  }

  /** JSON text of the document at `off`, cut at max_doc_length (written straight from the bytes). */
  #json(b: Buffer, off: number, end = b.length, skip?: ReadonlySet<string>, extra?: readonly string[]): string {
    return docJson(b, off, end, this.#opts.maxDocLength, skip, extra);
  }

  /** `[doc, doc, ...]` of consecutive documents from `from` to `end`, cut at max_doc_length. */
  #jsonList(b: Buffer, from: number, end: number): string {
    const parts: string[] = [];
    let len = 0;
    const max = this.#opts.maxDocLength;
    for (let p = from; p < end; ) {
      const size = docSize(b, p, end);
      if (max === 0 || len <= max) {
        const t = this.#json(b, p, end);
        parts.push(t);
        len += t.length + 1;
      }
      p += size;
    }
    const s = `[${parts.join(',')}]`;
    return max > 0 && s.length > max ? `${s.slice(0, max)}...` : s;
  }

  #call(req: MongoRequest, arg: string, extra = ''): void {
    req.query = `${req.collection ?? ''}.${req.method ?? ''}(${arg})${extra}`;
  }

  #opQuery(b: Buffer, req: MongoRequest): void {
    let p = 4; // flags
    const [ns, q] = cstr(b, p);
    p = q;
    const skip = b.readInt32LE(p);
    const ret = b.readInt32LE(p + 4);
    p += 8;
    req.collection = ns;
    req.fields['fullCollectionName'] = ns;
    req.fields['numberToSkip'] = skip;
    req.fields['numberToReturn'] = ret;
    const size = docSize(b, p);
    const qAt = p;
    p += size;
    if (ns.endsWith('.$cmd')) {
      const query = readDoc(b, qAt); // commands are small: decoded for the command name and its collection
      const inner = query['$query'];
      const cmd = inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.keys(inner)[0] : firstKey(b, p - size);
      req.method = cmd ?? 'command';
      req.collection = ns.slice(0, -5);
      const target = query[req.method];
      if (typeof target === 'string' && target !== '') req.collection = `${req.collection}.${target}`;
    } else {
      req.method = 'find';
    }
    const text = this.#json(b, qAt);
    req.fields['query'] = text;
    if (p < b.length) req.fields['returnFieldsSelector'] = this.#json(b, p);
    this.#call(req, text, `${skip ? `.skip(${skip})` : ''}${ret ? `.limit(${ret})` : ''}`);
  }

  #opGetMore(b: Buffer, req: MongoRequest): void {
    const [ns, p] = cstr(b, 4);
    req.method = 'getMore';
    req.collection = ns;
    req.fields['fullCollectionName'] = ns;
    req.fields['numberToReturn'] = b.readInt32LE(p);
    req.fields['cursorId'] = b.readBigInt64LE(p + 4).toString();
    this.#call(req, String(req.fields['cursorId']));
  }

  #opInsert(b: Buffer, req: MongoRequest): void {
    const [ns, q] = cstr(b, 4);
    req.method = 'insert';
    req.collection = ns;
    req.expectsReply = false;
    req.fields['fullCollectionName'] = ns;
    this.#call(req, this.#jsonList(b, q, b.length));
  }

  #opUpdate(b: Buffer, req: MongoRequest): void {
    const [ns, q] = cstr(b, 4);
    let p = q + 4; // flags
    req.method = 'update';
    req.collection = ns;
    req.expectsReply = false;
    req.fields['fullCollectionName'] = ns;
    const selSize = docSize(b, p);
    const selector = this.#json(b, p);
    const update = this.#json(b, p + selSize);
    req.fields['selector'] = selector;
    req.fields['update'] = update;
    this.#call(req, `${selector}, ${update}`);
  }

  #opDelete(b: Buffer, req: MongoRequest): void {
    const [ns, q] = cstr(b, 4);
    req.method = 'delete';
    req.collection = ns;
    req.expectsReply = false;
    req.fields['fullCollectionName'] = ns;
    const selector = this.#json(b, q + 4);
    req.fields['selector'] = selector;
    this.#call(req, selector);
  }

  #opKillCursors(b: Buffer, req: MongoRequest): void {
    const n = b.readInt32LE(4);
    const ids: string[] = [];
    for (let i = 0; i < n && i < 1000 && 8 + i * 8 + 8 <= b.length; i++) ids.push(b.readBigInt64LE(8 + i * 8).toString());
    req.method = 'killCursors';
    req.expectsReply = false;
    // cursorId is a long in the field mapping: the first id (as a decimal string, exact beyond 2^53); all ids are in
    // the query text
    if (ids[0] !== undefined) req.fields['cursorId'] = ids[0];
    req.fields['numberOfCursorIds'] = n;
    req.query = `killCursors(${ids.join(', ')})`;
  }

  #opMsg(b: Buffer, req: MongoRequest): void {
    const flags = b.readUInt32LE(0);
    if (flags & 2) req.expectsReply = false; // moreToCome
    const { bodyAt, sequences, end } = msgSections(b, flags);
    if (bodyAt === undefined) throw new BsonError('OP_MSG without a body section');
    // the command is the body's first key, its collection that key's string value, the database `$db`
    let cmd: string | undefined;
    let target: JsonValue | undefined;
    let db = '';
    forEachElement(b, bodyAt, end, (e) => {
      if (cmd === undefined) {
        cmd = e.name;
        if (e.type === 0x02) target = readValueAt(b, e, end);
      } else if (e.name === '$db' && e.type === 0x02) {
        db = readValueAt(b, e, end) as string;
      }
    });
    req.method = cmd ?? 'command';
    req.collection = typeof target === 'string' && target !== '' ? `${db}.${target}` : db;
    const extra = sequences.map(([id, from, stop]) => `${JSON.stringify(id)}:${this.#jsonList(b, from, stop)}`);
    const text = this.#json(b, bodyAt, end, NOISE, extra);
    req.fields['query'] = text;
    this.#call(req, text);
  }

  #opReply(b: Buffer, reply: MongoReply): void {
    const flags = b.readInt32LE(0);
    reply.fields['cursorId'] = b.readBigInt64LE(4).toString();
    reply.fields['startingFrom'] = b.readInt32LE(12);
    reply.fields['numberReturned'] = b.readInt32LE(16);
    let first: JsonDoc | undefined;
    for (let p = 20, i = 0; p < b.length; i++) {
      const size = docSize(b, p);
      // the first document tells about failures; the others are decoded only for `response`
      if (i === 0 || this.#wantDoc(reply.docs.length)) {
        const d = readDoc(b, p);
        if (i === 0) first = d;
        if (this.#wantDoc(reply.docs.length)) reply.docs.push(d);
      }
      p += size;
    }
    if (flags & 1) reply.error = 'Cursor not found';
    if (first !== undefined) {
      if (flags & 2 || typeof first['$err'] === 'string') reply.error = String(first['$err'] ?? 'query failure');
      else if (first['ok'] === 0) reply.error = errorText(first);
    }
  }

  #wantDoc(have: number): boolean {
    const max = this.#opts.maxDocs;
    return max < 0 || have < max;
  }

  #msgReply(b: Buffer, reply: MongoReply): void {
    const flags = b.readUInt32LE(0);
    const end = flags & 1 ? b.length - 4 : b.length;
    if (b[4] !== 0) return; // the body section comes first
    const bodyAt = 5;
    // skim the reply: only the status fields are decoded; cursor batches are counted, and decoded for `response`
    const status: JsonDoc = {};
    let batch: BsonElement | undefined;
    let cursorId: JsonValue | undefined;
    let isCursor = false;
    forEachElement(b, bodyAt, end, (e) => {
      if (e.name === 'cursor' && e.type === 0x03) {
        isCursor = true;
        forEachElement(b, e.at, end, (c) => {
          if ((c.name === 'firstBatch' || c.name === 'nextBatch') && c.type === 0x04) batch = c;
          else if (c.name === 'id') cursorId = readValueAt(b, c, end);
        });
      } else if (e.name === 'ok' || e.name === 'errmsg' || e.name === 'code' || e.name === 'codeName' || e.name === 'n' || e.name === 'writeErrors') {
        status[e.name] = readValueAt(b, e, end);
      }
    });
    if (isCursor) {
      if (batch !== undefined) {
        let count = 0;
        const arr = batch;
        forEachElement(b, arr.at, end, (d) => {
          count++;
          if (d.type === 0x03 && this.#wantDoc(reply.docs.length)) reply.docs.push(readValueAt(b, d, end) as JsonDoc);
        });
        reply.fields['numberReturned'] = count;
      }
      const id = longText(cursorId);
      if (id !== undefined) reply.fields['cursorId'] = id;
    } else if (this.#wantDoc(0)) {
      reply.docs.push(readDoc(b, bodyAt, end));
    }
    if (typeof status['n'] === 'number' && reply.fields['numberReturned'] === undefined) reply.fields['numberReturned'] = status['n'];
    if (status['ok'] === 0 || status['ok'] === false) reply.error = errorText(status);
    else if (Array.isArray(status['writeErrors']) && status['writeErrors'].length > 0) {
      const w = status['writeErrors'][0];
      reply.error = w !== null && typeof w === 'object' && !Array.isArray(w) ? errorText(w) : 'write error';
    }
  }
}

/** An int64 / int32 value as a decimal string (the `long` cursorId field), or undefined. */
function longText(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'number') return String(v);
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v['$numberLong'] === 'string') return v['$numberLong'];
  return undefined;
}

function errorText(d: JsonDoc): string {
  const m = d['errmsg'] ?? d['$err'];
  const code = d['codeName'] ?? d['code'];
  const text = typeof m === 'string' ? m : 'command failed';
  return code !== undefined ? `${text} (${String(code)})` : text;
}

function cstr(b: Buffer, from: number): [string, number] {
  const e = b.indexOf(0, from);
  if (e < 0) throw new BsonError('unterminated cstring');
  return [b.toString('utf8', from, e), e + 1];
}

/** Where the body document and the document sequences (identifier, first document, end) of an OP_MSG are. */
function msgSections(b: Buffer, flags: number): { bodyAt: number | undefined; sequences: [string, number, number][]; end: number } {
  const end = flags & 1 ? b.length - 4 : b.length; // checksumPresent
  let bodyAt: number | undefined;
  const sequences: [string, number, number][] = [];
  let p = 4;
  while (p < end) {
    const kind = b[p] as number;
    p++;
    if (kind === 0) {
      const size = docSize(b, p, end);
      bodyAt ??= p;
      p += size;
    } else if (kind === 1) {
      const size = b.readInt32LE(p);
      if (size < 5 || p + size > end) throw new BsonError('bad document sequence size');
      const stop = p + size;
      const [id, q] = cstr(b, p + 4);
      if (q > stop) throw new BsonError('bad document sequence identifier');
      sequences.push([id, q, stop]);
      p = stop;
    } else {
      throw new BsonError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  return { bodyAt, sequences, end };
}
