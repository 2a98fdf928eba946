import type { BeatEvent } from '../common/event.js';
import type { ConfigNode } from '../config/config-node.js';
import { nodeError } from './config-util.js';
import { compileCondition, type Condition } from './condition.js';
import { builtinProcessors } from './builtin.js';
import type { ProcessorRegistry } from './registry.js';

/**
 * One step of the `processors:` chain. `run` is called once per event on the publishing hot path, synchronously,
 * in the configured order; it may change the event in place and returns it, or null to drop it. It never throws
 * for a bad event: a failure is recorded in the event's `error.message` field (as Beats does) and the event goes on.
 */
export interface Processor {
  readonly name: string;
  run(event: BeatEvent): BeatEvent | null;
}

/** Builds a processor from its options (`processors.N.<name>`); throws ConfigError naming the option path. */
export type ProcessorFactory = (cfg: ConfigNode) => Processor;

let builtins: ProcessorRegistry | undefined;

/**
 * Compiles the items of `processors:` (each `{<name>: {options…, when?}}`) into a chain, once at startup.
 * Conditions and regexps are compiled here, so that `runProcessors` does no parsing per event.
 */
export function createProcessors(list: readonly ConfigNode[], registry?: ProcessorRegistry): Processor[] {
  const reg = registry ?? (builtins ??= builtinProcessors());
  return list.map((item) => createOne(item, reg));
}

function createOne(item: ConfigNode, reg: ProcessorRegistry): Processor {
  const names = item.keys();
  if (names.length !== 1) {
    const got = names.length === 0 ? 'nothing' : names.join(', ');
    throw nodeError(item, `must name exactly one processor (${reg.names().join(', ')}), got ${got}`);
  }
  const name = names[0]!;
  const factory = reg.get(name);
  if (!factory) throw item.error(name, `unknown processor; expected one of ${reg.names().join(', ')}`);
  const cfg = item.child(name);
  const p = factory(cfg);
  if (!('when' in cfg.raw)) return p;
  // An empty `when:` is refused rather than read as "always": on drop_event that would drop every event.
  return new ConditionalProcessor(p, compileCondition(cfg.child('when')));
}

/** Runs `p` only on events that match its `when` condition; the others pass unchanged. */
class ConditionalProcessor implements Processor {
  readonly name: string;
  readonly #inner: Processor;
  readonly #condition: Condition;
  constructor(inner: Processor, condition: Condition) {
    this.name = inner.name;
    this.#inner = inner;
    this.#condition = condition;
  }
  run(event: BeatEvent): BeatEvent | null {
    return this.#condition.check(event.fields) ? this.#inner.run(event) : event;
  }
}

/**
 * Passes one event through the chain; null means a processor dropped it (the caller counts it as filtered and
 * acknowledges it to its producer: a dropped event is done, not lost). Called per event; allocates nothing itself.
 */
export function runProcessors(processors: readonly Processor[], event: BeatEvent): BeatEvent | null {
  let e: BeatEvent | null = event;
  for (let i = 0; i < processors.length; i++) {
    e = processors[i]!.run(e);
    if (e === null) return null;
  }
  return e;
}

/**
 * The items of the processors list in a root config: `processors:` (Beats 5.x) or its pre-5.0 name `filters:`
 * (the generic filtering of Beats 1.1 / 5.0-alpha, same items). Both at once is an error.
 */
export function processorsConfig(root: ConfigNode): ConfigNode[] {
  if (root.has('processors') && root.has('filters')) {
    throw root.error('filters', 'is the old name of processors; set only one of them');
  }
  return root.children(root.has('filters') ? 'filters' : 'processors');
}
