import { bytesToText } from '../redis/text.js';
import { keepValue, MAX_STATS, newMessage, type McMessage, type ValueLimits } from './message.js';

/**
 * Incremental parser of the memcache text protocol, one per direction. Command lines are read up to MAX_LINE
 * (longer is a protocol error); data blocks stream by, keeping at most what the value limits ask for, so a
 * declared size of gigabytes allocates nothing. Multi-line responses (VALUE ... END, STAT ... END) are one message.
 */
export const MAX_LINE = 64 * 1024;
/** Keys kept per message (a 64 KiB get line can name thousands). */
export const MAX_KEYS = 1000;

interface CommandSpec {
  type: string;
  /** Parses the arguments after the command word; returns the data block size for storage commands. */
  args: (m: McMessage, a: string[]) => number | undefined | 'bad';
}

const int = (s: string | undefined): number | undefined => (s !== undefined && /^-?\d+$/.test(s) ? Number(s) : undefined);
const noreply = (m: McMessage, a: string[], at: number): void => {
  if (a[at] === 'noreply') m.noreply = true;
};

function storage(withCas: boolean): CommandSpec {
  return {
    type: 'Store',
    args: (m, a) => {
      const bytes = int(a[3]);
      if (a[0] === undefined || bytes === undefined || bytes < 0) return 'bad';
      m.keys = [a[0]];
      m.flags = int(a[1]);
      m.exptime = int(a[2]);
      if (withCas) m.casUnique = a[4];
      noreply(m, a, withCas ? 5 : 4);
      m.valueBytes = bytes;
      m.countValues = 1;
      return bytes;
    },
  };
}

const load = (gat: boolean): CommandSpec => ({
  type: 'Load',
  args: (m, a) => {
    if (gat) m.exptime = int(a.shift());
    if (a.length === 0) return 'bad';
    m.keys = a.length > MAX_KEYS ? a.slice(0, MAX_KEYS) : a;
    return undefined;
  },
});

const COMMANDS: Record<string, CommandSpec> = {
  set: storage(false),
  add: storage(false),
  replace: storage(false),
  append: storage(false),
  prepend: storage(false),
  cas: storage(true),
  get: load(false),
  gets: load(false),
  gat: load(true),
  gats: load(true),
  delete: {
    type: 'Delete',
    args: (m, a) => {
      if (a[0] === undefined) return 'bad';
      m.keys = [a[0]];
      noreply(m, a, a[1] === 'noreply' ? 1 : 2);
      return undefined;
    },
  },
  incr: counter(),
  decr: counter(),
  touch: {
    type: 'Store',
    args: (m, a) => {
      if (a[0] === undefined) return 'bad';
      m.keys = [a[0]];
      m.exptime = int(a[1]);
      noreply(m, a, 2);
      return undefined;
    },
  },
  stats: { type: 'Stats', args: (m, a) => void (a.length > 0 && (m.rawArgs = a.join(' '))) },
  flush_all: {
    type: 'Delete',
    args: (m, a) => {
      if (a[0] !== undefined && a[0] !== 'noreply') m.exptime = int(a[0]);
      noreply(m, a, a[0] === 'noreply' ? 0 : 1);
      return undefined;
    },
  },
  version: { type: 'Info', args: () => undefined },
  quit: { type: 'Info', args: () => undefined },
  shutdown: { type: 'Info', args: () => undefined },
  verbosity: {
    type: 'Info',
    args: (m, a) => {
      m.verbosity = int(a[0]);
      noreply(m, a, 1);
      return undefined;
    },
  },
  cache_memlimit: { type: 'Info', args: (m, a) => void noreply(m, a, 1) },
  slabs: {
    type: 'SlabCtrl',
    args: (m, a) => {
      m.rawArgs = a.join(' ');
      if (a[0] === 'reassign') {
        m.sourceClass = int(a[1]);
        m.destClass = int(a[2]);
      } else if (a[0] === 'automove') m.automove = a[1];
      return undefined;
    },
  },
  lru_crawler: { type: 'LRUCrawler', args: (m, a) => void (m.rawArgs = a.join(' ')) },
  watch: { type: 'Info', args: (m, a) => void (m.rawArgs = a.join(' ')) },
  // Meta commands (memcached >= 1.6): key first, then flags; `ms` carries a data block.
  mg: meta(),
  md: meta(),
  ma: meta(),
  me: meta(),
  mn: { type: 'Meta', args: () => undefined },
  ms: {
    type: 'Meta',
    args: (m, a) => {
      const bytes = int(a[1]);
      if (a[0] === undefined || bytes === undefined || bytes < 0) return 'bad';
      m.keys = [a[0]];
      m.rawArgs = a.slice(2).join(' ');
      if (a.includes('q')) m.quiet = true;
      m.valueBytes = bytes;
      m.countValues = 1;
      return bytes;
    },
  },
};

function counter(): CommandSpec {
  return {
    type: 'Counter',
    args: (m, a) => {
      if (a[0] === undefined) return 'bad';
      m.keys = [a[0]];
      m.delta = a[1];
      noreply(m, a, 2);
      return undefined;
    },
  };
}

function meta(): CommandSpec {
  return {
    type: 'Meta',
    args: (m, a) => {
      if (a[0] === undefined) return 'bad';
      m.keys = [a[0]];
      m.rawArgs = a.slice(1).join(' ');
      if (a.includes('q')) m.quiet = true;
      return undefined;
    },
  };
}

/** Single-line replies and whether they mean failure (Packetbeat's memcache status rules). */
const REPLY_TYPES: Record<string, string> = {
  STORED: 'Success',
  NOT_STORED: 'Fail',
  EXISTS: 'Fail',
  NOT_FOUND: 'Fail',
  DELETED: 'Success',
  TOUCHED: 'Success',
  OK: 'Success',
  RESET: 'Success',
  END: 'Load',
  ERROR: 'Error',
  CLIENT_ERROR: 'Error',
  SERVER_ERROR: 'Error',
  VERSION: 'Info',
  HD: 'Meta',
  EN: 'Meta',
  NF: 'Meta',
  NS: 'Meta',
  EX: 'Meta',
  MN: 'Meta',
  ME: 'Meta',
};

const CR = 13;
const LF = 10;

/** Whether a chunk starts with a known command word (resynchronising after lost bytes). */
export function startsWithCommand(chunk: Buffer): boolean {
  return COMMANDS[firstWord(chunk).toLowerCase()] !== undefined;
}

/** Whether a chunk starts with a known reply word or a counter value. */
export function startsWithReply(chunk: Buffer): boolean {
  const w = firstWord(chunk);
  return REPLY_TYPES[w] !== undefined || w === 'VALUE' || w === 'STAT' || w === 'VA' || /^\d+$/.test(w);
}

function firstWord(chunk: Buffer): string {
  let i = 0;
  while (i < chunk.length && i < 32 && chunk[i] !== 0x20 && chunk[i] !== CR && chunk[i] !== LF) i++;
  return chunk.toString('latin1', 0, i);
}

export class TextParser {
  readonly #req: boolean;
  readonly #limits: ValueLimits;
  readonly #parseUnknown: boolean;
  #lineParts: Buffer[] = [];
  #lineLen = 0;
  #dataLeft = -1; // >= 0 while in a data block (+2 for its CRLF)
  #keep: Buffer[] = [];
  #kept = 0;
  #keepMax = 0;
  #msg: McMessage | undefined;
  /** In a response: reading VALUE/STAT lines until END. */
  #multi = false;
  #error: string | undefined;

  constructor(isRequest: boolean, limits: ValueLimits, parseUnknown: boolean) {
    this.#req = isRequest;
    this.#limits = limits;
    this.#parseUnknown = parseUnknown;
  }

  get error(): string | undefined {
    return this.#error;
  }

  get midMessage(): boolean {
    return this.#msg !== undefined || this.#lineLen > 0;
  }

  reset(): void {
    this.#lineParts = [];
    this.#lineLen = 0;
    this.#dataLeft = -1;
    this.#keep = [];
    this.#kept = 0;
    this.#msg = undefined;
    this.#multi = false;
    this.#error = undefined;
  }

  feed(chunk: Buffer, ts: number, out: McMessage[]): void {
    if (this.#error !== undefined) return;
    const len = chunk.length;
    let i = 0;
    while (i < len) {
      if (this.#msg === undefined && this.#lineLen === 0) this.#msg = newMessage('text', this.#req, ts);
      const m = this.#msg!;
      if (this.#dataLeft >= 0) {
        const take = Math.min(this.#dataLeft, len - i);
        const payloadLeft = this.#dataLeft - 2;
        if (payloadLeft > 0 && this.#kept < this.#keepMax) {
          const k = Math.min(take, payloadLeft, this.#keepMax - this.#kept);
          if (k > 0) {
            this.#keep.push(chunk.subarray(i, i + k));
            this.#kept += k;
          }
        }
        this.#dataLeft -= take;
        m.bytes += take;
        i += take;
        if (this.#dataLeft === 0) {
          this.#dataLeft = -1;
          if (this.#keepMax > 0) m.values.push(bytesToText(Buffer.concat(this.#keep)));
          this.#keep = [];
          this.#kept = 0;
          m.endTs = ts;
          if (!this.#multi) this.#done(out);
        }
        continue;
      }
      const nl = chunk.indexOf(LF, i);
      if (nl < 0) {
        this.#lineLen += len - i;
        m.bytes += len - i;
        if (this.#lineLen > MAX_LINE) {
          this.#error = 'line too long';
          return;
        }
        this.#lineParts.push(chunk.subarray(i));
        return;
      }
      let line: Buffer;
      if (this.#lineParts.length === 0) line = chunk.subarray(i, nl);
      else {
        this.#lineParts.push(chunk.subarray(i, nl));
        line = Buffer.concat(this.#lineParts);
        this.#lineParts = [];
      }
      m.bytes += nl + 1 - i;
      i = nl + 1;
      this.#lineLen = 0;
      if (line.length > MAX_LINE) {
        this.#error = 'line too long';
        return;
      }
      m.endTs = ts;
      const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
      const text = bytesToText(line, 0, end);
      const r = this.#req ? this.#requestLine(m, text) : this.#responseLine(m, text);
      if (r === 'bad') {
        this.#error = `unparseable ${this.#req ? 'command' : 'response'} line`;
        return;
      }
      if (r === 'skip') this.#msg = undefined;
      else if (r === 'done') this.#done(out);
    }
  }

  #done(out: McMessage[]): void {
    const m = this.#msg!;
    this.#msg = undefined;
    this.#multi = false;
    out.push(m);
  }

  #startData(m: McMessage, bytes: number): void {
    this.#dataLeft = bytes + 2;
    this.#keepMax = keepValue(this.#limits, m);
    this.#keep = [];
    this.#kept = 0;
  }

  #requestLine(m: McMessage, text: string): 'done' | 'more' | 'skip' | 'bad' {
    const words = text.split(/[ \t]+/).filter((w) => w !== '');
    if (words.length === 0) return 'skip';
    const cmd = words[0]!.toLowerCase();
    m.command = cmd;
    m.line = text;
    const spec = COMMANDS[cmd];
    if (spec === undefined) {
      if (!this.#parseUnknown && !/^[a-z_]+$/.test(cmd)) return 'bad';
      m.unknown = true;
      m.type = 'Unknown';
      return 'done';
    }
    m.type = spec.type;
    const r = spec.args(m, words.slice(1));
    if (r === 'bad') return 'bad';
    if (r === undefined) return 'done';
    this.#startData(m, r);
    return 'more';
  }

  #responseLine(m: McMessage, text: string): 'done' | 'more' | 'bad' {
    const sp = text.indexOf(' ');
    const word = sp < 0 ? text : text.slice(0, sp);
    const rest = sp < 0 ? '' : text.slice(sp + 1);
    if (this.#multi) {
      if (word === 'END') return 'done';
      if (word === 'VALUE') return this.#value(m, rest);
      if (word === 'STAT') {
        this.#stat(m, rest);
        return 'more';
      }
      // Other lines of stats sub-commands (ITEM ..., key=value dumps): part of the response.
      return 'more';
    }
    m.line = text;
    if (word === 'VALUE') {
      m.command = 'VALUE';
      m.type = 'Load';
      this.#multi = true;
      return this.#value(m, rest);
    }
    if (word === 'STAT') {
      m.command = 'STAT';
      m.type = 'Stats';
      m.stats = [];
      this.#multi = true;
      this.#stat(m, rest);
      return 'more';
    }
    if (word === 'VA') {
      // Meta get hit: VA <size> <flags>*, then the data block.
      const n = int(rest.split(' ')[0]);
      if (n === undefined || n < 0) return 'bad';
      m.command = 'VA';
      m.type = 'Meta';
      m.countValues = 1;
      m.valueBytes = n;
      this.#startData(m, n);
      return 'more';
    }
    if (/^\d+$/.test(word) && sp < 0) {
      m.command = 'COUNTER';
      m.type = 'Counter';
      m.counter = word;
      return 'done';
    }
    const type = REPLY_TYPES[word];
    // An upper-case word we do not know (a newer server's reply) is still one line; anything else is not memcache.
    if (type === undefined && !/^[A-Z_]+$/.test(word)) return 'bad';
    m.command = word;
    m.type = type ?? 'Unknown';
    if (word === 'VERSION') m.version = rest;
    else if (word === 'CLIENT_ERROR' || word === 'SERVER_ERROR' || (word === 'ERROR' && rest !== '')) m.errorMsg = rest;
    return 'done';
  }

  #value(m: McMessage, rest: string): 'more' | 'bad' {
    // VALUE <key> <flags> <bytes> [<cas unique>]
    const a = rest.split(' ');
    const n = int(a[2]);
    if (a[0] === undefined || n === undefined || n < 0) return 'bad';
    if (m.keys.length < MAX_KEYS) m.keys.push(a[0]);
    m.flags = int(a[1]);
    if (a[3] !== undefined) m.casUnique = a[3];
    m.countValues++;
    m.valueBytes += n;
    this.#startData(m, n);
    return 'more';
  }

  #stat(m: McMessage, rest: string): void {
    const sp = rest.indexOf(' ');
    if (m.stats !== undefined && m.stats.length < MAX_STATS)
      m.stats.push({ name: sp < 0 ? rest : rest.slice(0, sp), value: sp < 0 ? '' : rest.slice(sp + 1) });
  }
}
