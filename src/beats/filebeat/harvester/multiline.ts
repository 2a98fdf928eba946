/** One decoded line or multiline message: its text, the offset of its first byte and the offset after its end. */
export interface Message {
  text: string;
  offset: number;
  end: number;
  /** Lines combined into this message (1 for a plain line). */
  lines: number;
  truncated: boolean;
}

export interface MultilineOptions {
  pattern: RegExp;
  negate: boolean;
  match: 'after' | 'before';
  /** Lines kept per message; further lines are dropped from the text but still consumed. */
  maxLines: number;
  /** Longest text kept, in characters (max_bytes applies to the combined message too). */
  maxChars: number;
  /** A pending message is sent after this long without a new line. */
  timeoutMs: number;
}

/**
 * Combines lines into messages (Filebeat `multiline`), without I/O. A line "continues" when
 * `pattern.test(line) !== negate`. With `match: after` a continuing line is appended to the message before it
 * (Java stack traces: `pattern: '^[[:space:]]'`); with `match: before` a continuing line is followed by the next
 * one, so a message ends with the first non-continuing line (lines ending in `\`). The harvester calls
 * `flushIfIdle` while waiting for data so a trailing message leaves after `timeoutMs`.
 */
export class MultilineAggregator {
  readonly #o: MultilineOptions;
  #cur: Message | undefined;
  #parts: string[] = [];
  #chars = 0;
  #lastAt = 0;

  constructor(opts: MultilineOptions) {
    this.#o = opts;
  }

  /** Whether a message is being assembled (its bytes are not yet published). */
  get pending(): boolean {
    return this.#cur !== undefined;
  }

  /** Feeds one line; calls `out` for each message completed by it. */
  push(line: Message, now: number, out: (m: Message) => void): void {
    this.#lastAt = now;
    const continues = this.#o.pattern.test(line.text) !== this.#o.negate;
    if (this.#o.match === 'after') {
      if (continues && this.#cur) this.#append(line);
      else {
        this.flush(out);
        this.#start(line);
      }
      return;
    }
    if (this.#cur) this.#append(line);
    else this.#start(line);
    if (!continues) this.flush(out);
  }

  /** Sends the pending message when no line arrived for `timeoutMs`. */
  flushIfIdle(now: number, out: (m: Message) => void): void {
    if (this.#cur && now - this.#lastAt >= this.#o.timeoutMs) this.flush(out);
  }

  /** Sends the pending message, if any. */
  flush(out: (m: Message) => void): void {
    const m = this.#cur;
    if (!m) return;
    if (this.#parts.length > 1) m.text = this.#parts.join('\n');
    this.#cur = undefined;
    this.#parts = [];
    this.#chars = 0;
    out(m);
  }

  #start(line: Message): void {
    this.#cur = { text: line.text, offset: line.offset, end: line.end, lines: 1, truncated: line.truncated };
    this.#parts = [line.text];
    this.#chars = line.text.length;
  }

  #append(line: Message): void {
    const m = this.#cur!;
    m.end = line.end;
    m.lines++;
    if (this.#parts.length >= this.#o.maxLines || this.#chars >= this.#o.maxChars) {
      m.truncated = true;
      return;
    }
    let text = line.text;
    const room = this.#o.maxChars - this.#chars - 1;
    if (text.length > room) {
      text = text.slice(0, Math.max(0, room));
      m.truncated = true;
    }
    this.#parts.push(text);
    this.#chars += text.length + 1;
  }
}
