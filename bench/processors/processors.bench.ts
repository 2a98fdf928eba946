// Events/s through a chain of 3 conditional processors, against a baseline loop that builds the same events and only
// touches them; both in the same run. Usage: node --expose-gc dist/bench/processors/processors.bench.js [events]
import { parse } from 'yaml';
import { ConfigNode } from '../../src/libbeat/config/config-node.js';
import type { BeatEvent } from '../../src/libbeat/common/event.js';
import { createProcessors, processorsConfig, runProcessors } from '../../src/libbeat/processors/processor.js';

const EVENTS = Number(process.argv[2] ?? 2_000_000);
const ROUNDS = 3;

const CONFIG = `
processors:
  - drop_event:
      when:
        regexp: {message: '^DEBUG'}
  - add_fields:
      when:
        range: {http.code.gte: 500}
      fields: {alert: true, team: ops}
  - drop_fields:
      when:
        contains: {source: /var/log/}
      fields: [beat.hostname, offset]
`;
const chain = createProcessors(processorsConfig(new ConfigNode(parse(CONFIG), 'bench.yml')));

const LEVELS = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
const CODES = [200, 200, 404, 503];
const TS = new Date(0);

/** A Filebeat-like event; one in four is DEBUG (dropped), one in four has a 5xx code (gets fields). */
function makeEvent(i: number): BeatEvent {
  return {
    timestamp: TS,
    fields: {
      type: 'log',
      message: `${LEVELS[i & 3]} request ${i} served`,
      source: (i & 1) === 0 ? '/var/log/nginx/access.log' : '/srv/app/app.log',
      offset: i * 80,
      beat: { name: 'bench', hostname: 'bench-host' },
      http: { code: CODES[(i >> 2) & 3] },
    },
  };
}

function baseline(n: number): number {
  let touched = 0;
  for (let i = 0; i < n; i++) {
    // Reads what the chain's conditions read, so that V8 cannot skip building the event (or its message string).
    const f = makeEvent(i).fields;
    if ((f['message'] as string).charCodeAt(0) === 68 || (f['http'] as { code: number }).code >= 500) touched++;
    if ((f['source'] as string).length > 20) touched++;
  }
  return touched;
}

function processed(n: number): number {
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (runProcessors(chain, makeEvent(i)) !== null) kept++;
  }
  return kept;
}

function measure(fn: (n: number) => number): { rate: number; result: number } {
  let best = 0;
  let result = 0;
  fn(Math.min(EVENTS, 200_000)); // warm-up: let V8 optimize before timing
  for (let r = 0; r < ROUNDS; r++) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = process.hrtime.bigint();
    result = fn(EVENTS);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    best = Math.max(best, EVENTS / s);
  }
  return { rate: best, result };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const base = measure(baseline);
const proc = measure(processed);
const mem = process.memoryUsage();
console.log(`events per round: ${fmt(EVENTS)}, best of ${ROUNDS} rounds`);
console.log(`baseline (build + touch):        ${fmt(base.rate)} events/s`);
console.log(`3 conditional processors:        ${fmt(proc.rate)} events/s (${fmt(proc.result)} kept, ${fmt(EVENTS - proc.result)} dropped)`);
console.log(`processor cost per event:        ${(1e9 / proc.rate - 1e9 / base.rate).toFixed(0)} ns`);
console.log(`RSS: ${(mem.rss / 1048576).toFixed(1)} MB, heap used: ${(mem.heapUsed / 1048576).toFixed(1)} MB`);
