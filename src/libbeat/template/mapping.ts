import type { FieldDef, FieldGroup } from './fields.js';

type Mapping = Record<string, unknown>;

/** Mapping options that depend on the Elasticsearch major version. */
interface Flavor {
  /** ES < 5 has `string` (+ `index: not_analyzed`) instead of keyword/text. */
  legacyStrings: boolean;
}

const DEFAULT_IGNORE_ABOVE = 1024;

function leafMapping(f: FieldDef, fl: Flavor): Mapping {
  let m: Mapping;
  switch (f.type) {
    case 'keyword':
    case 'string':
      m = fl.legacyStrings
        ? { type: 'string', index: 'not_analyzed', ignore_above: f.ignore_above ?? DEFAULT_IGNORE_ABOVE }
        : { type: 'keyword', ignore_above: f.ignore_above ?? DEFAULT_IGNORE_ABOVE };
      break;
    case 'text':
      m = fl.legacyStrings ? { type: 'string', index: 'analyzed' } : { type: 'text' };
      break;
    case 'half_float':
      m = { type: fl.legacyStrings ? 'float' : 'half_float' };
      break;
    case 'scaled_float':
      m = fl.legacyStrings ? { type: 'float' } : { type: 'scaled_float', scaling_factor: f.scaling_factor ?? 1000 };
      break;
    default:
      m = { type: f.type };
  }
  if (f.index === false) m['index'] = fl.legacyStrings ? 'no' : false;
  if (f.doc_values !== undefined) m['doc_values'] = f.doc_values;
  if (f.format !== undefined && f.type === 'date') m['format'] = f.format;
  return m;
}

/** Puts `mapping` at the dotted `name` below `props`, creating object levels; merges objects already there. */
function place(props: Mapping, name: string, mapping: Mapping): void {
  const parts = name.split('.');
  let cur = props;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    let node = cur[p] as Mapping | undefined;
    if (!node || typeof node !== 'object') {
      node = { properties: {} };
      cur[p] = node;
    }
    node['properties'] ??= {};
    cur = node['properties'] as Mapping;
  }
  const last = parts[parts.length - 1]!;
  const existing = cur[last] as Mapping | undefined;
  if (existing && existing['properties'] && mapping['properties']) {
    // Two definitions of the same object (libbeat's and a beat's): merge their children.
    const merged = { ...existing, ...mapping, properties: { ...(existing['properties'] as Mapping) } };
    for (const [k, v] of Object.entries(mapping['properties'] as Mapping)) (merged.properties as Mapping)[k] = v;
    cur[last] = merged;
  } else cur[last] = mapping;
}

function addFields(props: Mapping, fields: readonly FieldDef[], fl: Flavor): void {
  for (const f of fields) {
    if (f.type === 'group' || f.type === 'nested' || (f.type === 'object' && f.fields)) {
      const inner: Mapping = {};
      addFields(inner, f.fields ?? [], fl);
      const m: Mapping = { properties: inner };
      if (f.type === 'nested') m['type'] = 'nested';
      if (f.dynamic !== undefined) m['dynamic'] = f.dynamic;
      if (f.enabled === false) m['enabled'] = false;
      place(props, f.name, m);
    } else if (f.type === 'object') {
      const m: Mapping = { type: 'object' };
      if (f.enabled === false) m['enabled'] = false;
      if (f.dynamic !== undefined) m['dynamic'] = f.dynamic;
      place(props, f.name, m);
    } else {
      place(props, f.name, leafMapping(f, fl));
    }
  }
}

/** `properties` of the mapping for the groups of one or more fields files, merged in order (later wins). */
export function buildProperties(groups: readonly FieldGroup[], esMajor: number): Mapping {
  const fl: Flavor = { legacyStrings: esMajor < 5 };
  const props: Mapping = {};
  for (const g of groups) addFields(props, g.fields, fl);
  return props;
}

/** Strings not in the fields files are mapped as keywords (exact values), as Beats does. */
export function dynamicTemplates(esMajor: number): Mapping[] {
  const mapping = esMajor < 5 ? { type: 'string', index: 'not_analyzed', ignore_above: DEFAULT_IGNORE_ABOVE } : { type: 'keyword', ignore_above: DEFAULT_IGNORE_ABOVE };
  return [{ strings_as_keyword: { match_mapping_type: 'string', mapping } }];
}
