import type { Readable } from 'node:stream';
import type { PipelineClient } from '../../../libbeat/publisher/client.js';
import type { ProspectorConfig } from '../config.js';
import { createEventBuilder } from '../harvester/event-builder.js';
import { LineSplitter } from '../harvester/line-splitter.js';
import { MultilineAggregator, type Message } from '../harvester/multiline.js';

/**
 * `input_type: stdin`: reads lines from a stream until it ends (or `signal` aborts) and publishes them with
 * `source: "-"`. Nothing goes to the registry. Pauses the stream while the pipeline is full. A trailing line
 * without a newline is sent at the end of the stream.
 */
export async function readStdin(stream: Readable, cfg: ProspectorConfig, client: PipelineClient, signal: AbortSignal, stats: { bytes: number; lines: number }): Promise<void> {
  const build = createEventBuilder(cfg);
  const enc = cfg.encoding;
  const splitter = new LineSplitter({ newline: enc.newline, carriageReturn: enc.carriageReturn, maxBytes: cfg.maxBytes });
  const multiline = cfg.multiline ? new MultilineAggregator(cfg.multiline) : undefined;
  let waits: Promise<void>[] = [];
  let now = new Date();
  const emit = (m: Message) => {
    stats.lines++;
    const fields = build(m, '-');
    if (fields === null) return;
    const p = client.publish({ timestamp: now, fields });
    if (p) waits.push(p);
  };
  const onLine = (buf: Buffer, start: number, end: number, offset: number, next: number, truncated: boolean) => {
    const m: Message = { text: enc.decode(buf, start, end), offset, end: next, lines: 1, truncated };
    if (multiline) multiline.push(m, Date.now(), emit);
    else emit(m);
  };
  const timer = multiline ? setInterval(() => multiline.flushIfIdle(Date.now(), emit), Math.min(1000, cfg.multiline!.timeoutMs)) : undefined;
  try {
    for await (const chunk of stream) {
      if (signal.aborted) break;
      const buf = chunk as Buffer;
      now = new Date();
      stats.bytes += buf.length;
      splitter.push(buf, 0, buf.length, onLine);
      if (waits.length > 0) {
        const w = waits;
        waits = [];
        await Promise.all(w);
      }
    }
    if (!signal.aborted) splitter.finish(onLine);
    multiline?.flush(emit);
    await Promise.all(waits);
  } finally {
    if (timer) clearInterval(timer);
  }
}
