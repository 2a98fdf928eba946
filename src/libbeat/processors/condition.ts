import type { ConfigNode } from '../config/config-node.js';
import { compileRegexp, describe } from '../config/config-node.js';
import { getField } from '../common/event.js';
import { flatten, nodeError, type FlatEntry } from './config-util.js';

/**
 * A compiled `when` condition (Beats 5.x semantics). Built once from the config by `compileCondition`; `check` is
 * called per event on the hot path, so it only reads fields and never allocates.
 */
export interface Condition {
  check(fields: Record<string, unknown>): boolean;
}

const CONDITION_NAMES = ['equals', 'contains', 'regexp', 'range', 'has_fields', 'or', 'and', 'not'] as const;
const RANGE_OPS = ['gte', 'gt', 'lte', 'lt'] as const;

/**
 * Compiles the condition in `node` (the value of a `when`, or one item of `or`/`and`, or the value of `not`).
 * The node must hold exactly one condition name; every mistake is a ConfigError naming the option path.
 */
export function compileCondition(node: ConfigNode): Condition {
  const keys = node.keys().filter((k) => node.raw[k] !== null && node.raw[k] !== undefined);
  if (keys.length !== 1) {
    const what = keys.length === 0 ? 'nothing' : keys.join(', ');
    throw nodeError(node, `must hold exactly one condition (${CONDITION_NAMES.join(', ')}), got ${what}`);
  }
  const name = keys[0]!;
  switch (name) {
    case 'equals':
      return new EqualsCondition(fieldEntries(node, name, checkEqualsValue));
    case 'contains':
      return new ContainsCondition(fieldEntries(node, name, checkString));
    case 'regexp': {
      const sub = node.child(name);
      const entries = fieldEntries(node, name, checkString);
      return new RegexpCondition(
        entries.map((e) => e.path),
        entries.map((e) => compileRegexp(sub, e.path, e.value as string)),
      );
    }
    case 'range':
      return compileRange(node.child(name));
    case 'has_fields': {
      const list = node.strList(name, []);
      if (list.length === 0) throw node.error(name, 'must list at least one field');
      return new HasFieldsCondition(list);
    }
    case 'or':
    case 'and': {
      const subs = node.children(name).map(compileCondition);
      if (subs.length === 0) throw node.error(name, 'must list at least one condition');
      return name === 'or' ? new OrCondition(subs) : new AndCondition(subs);
    }
    case 'not':
      return new NotCondition(compileCondition(node.child(name)));
    default:
      throw node.error(name, `unknown condition; expected one of ${CONDITION_NAMES.join(', ')}`);
  }
}

type ValueCheck = (v: unknown) => string | undefined;

const checkEqualsValue: ValueCheck = (v) =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : 'a string, number or boolean';
const checkString: ValueCheck = (v) => (typeof v === 'string' ? undefined : 'a string');

/** The `field: value` pairs of a field condition, nested sections flattened to dotted names. */
function fieldEntries(node: ConfigNode, name: string, check: ValueCheck): FlatEntry[] {
  const sub = node.child(name);
  const entries = flatten(sub.raw);
  if (entries.length === 0) throw node.error(name, 'must name at least one field');
  for (const e of entries) {
    const expected = check(e.value);
    if (expected !== undefined) throw sub.error(e.path, `must be ${expected}, got ${describe(e.value)}`);
  }
  return entries;
}

class EqualsCondition implements Condition {
  readonly #fields: string[];
  readonly #values: (string | number | boolean)[];
  constructor(entries: FlatEntry[]) {
    this.#fields = entries.map((e) => e.path);
    this.#values = entries.map((e) => e.value as string | number | boolean);
  }
  // Strict equality: 200 matches the number 200 only, "200" the string only (as Beats, which never coerces).
  check(fields: Record<string, unknown>): boolean {
    for (let i = 0; i < this.#fields.length; i++) {
      if (getField(fields, this.#fields[i]!) !== this.#values[i]) return false;
    }
    return true;
  }
}

class ContainsCondition implements Condition {
  readonly #fields: string[];
  readonly #needles: string[];
  constructor(entries: FlatEntry[]) {
    this.#fields = entries.map((e) => e.path);
    this.#needles = entries.map((e) => e.value as string);
  }
  check(fields: Record<string, unknown>): boolean {
    for (let i = 0; i < this.#fields.length; i++) {
      const v = getField(fields, this.#fields[i]!);
      const needle = this.#needles[i]!;
      if (typeof v === 'string') {
        if (!v.includes(needle)) return false;
      } else if (Array.isArray(v)) {
        if (!v.some((s) => typeof s === 'string' && s.includes(needle))) return false;
      } else return false;
    }
    return true;
  }
}

class RegexpCondition implements Condition {
  constructor(
    readonly fields: string[],
    readonly patterns: RegExp[],
  ) {}
  // The patterns never carry the `g` or `y` flag, so `test` is stateless.
  check(fields: Record<string, unknown>): boolean {
    for (let i = 0; i < this.fields.length; i++) {
      const v = getField(fields, this.fields[i]!);
      const re = this.patterns[i]!;
      if (typeof v === 'string') {
        if (!re.test(v)) return false;
      } else if (Array.isArray(v)) {
        if (!v.some((s) => typeof s === 'string' && re.test(s))) return false;
      } else return false;
    }
    return true;
  }
}

interface RangeBound {
  field: string;
  gte: number;
  gt: number;
  lte: number;
  lt: number;
}

/** `range: {field.gte: 1, field.lt: 5}`, or the nested form `{field: {gte: 1, lt: 5}}`; numbers only. */
function compileRange(node: ConfigNode): Condition {
  const byField = new Map<string, RangeBound>();
  for (const e of flatten(node.raw)) {
    const dot = e.path.lastIndexOf('.');
    const op = e.path.slice(dot + 1);
    if (dot <= 0 || !(RANGE_OPS as readonly string[]).includes(op)) {
      throw node.error(e.path, `must end in one of .${RANGE_OPS.join(', .')} (e.g. http.code.gte: 400)`);
    }
    const n = typeof e.value === 'number' ? e.value : typeof e.value === 'string' && e.value.trim() !== '' ? Number(e.value) : NaN;
    if (!Number.isFinite(n)) throw node.error(e.path, `must be a number, got ${describe(e.value)}`);
    const field = e.path.slice(0, dot);
    let b = byField.get(field);
    if (!b) {
      b = { field, gte: -Infinity, gt: -Infinity, lte: Infinity, lt: Infinity };
      byField.set(field, b);
    }
    b[op as (typeof RANGE_OPS)[number]] = n;
  }
  if (byField.size === 0) throw nodeError(node, 'must name at least one field');
  return new RangeCondition([...byField.values()]);
}

class RangeCondition implements Condition {
  constructor(readonly bounds: RangeBound[]) {}
  // Only numbers take part, as in Beats: a numeric string does not match any range.
  check(fields: Record<string, unknown>): boolean {
    for (const b of this.bounds) {
      const v = getField(fields, b.field);
      if (typeof v !== 'number') return false;
      if (!(v >= b.gte && v > b.gt && v <= b.lte && v < b.lt)) return false;
    }
    return true;
  }
}

class HasFieldsCondition implements Condition {
  constructor(readonly fields: string[]) {}
  check(fields: Record<string, unknown>): boolean {
    for (const f of this.fields) if (getField(fields, f) === undefined) return false;
    return true;
  }
}

class OrCondition implements Condition {
  constructor(readonly subs: Condition[]) {}
  check(fields: Record<string, unknown>): boolean {
    for (const c of this.subs) if (c.check(fields)) return true;
    return false;
  }
}

class AndCondition implements Condition {
  constructor(readonly subs: Condition[]) {}
  check(fields: Record<string, unknown>): boolean {
    for (const c of this.subs) if (!c.check(fields)) return false;
    return true;
  }
}

class NotCondition implements Condition {
  constructor(readonly sub: Condition) {}
  check(fields: Record<string, unknown>): boolean {
    return !this.sub.check(fields);
  }
}
