/** Dotted field name → mapped type, for the few types the test server checks values against. */
export type FieldTypes = Map<string, string>;

const CHECKED = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'boolean', 'date']);

function walk(props: unknown, prefix: string, out: FieldTypes): void {
  if (props === null || typeof props !== 'object') return;
  for (const [name, m] of Object.entries(props as Record<string, unknown>)) {
    if (m === null || typeof m !== 'object') continue;
    const mm = m as Record<string, unknown>;
    const full = prefix ? `${prefix}.${name}` : name;
    if (typeof mm['type'] === 'string' && CHECKED.has(mm['type'])) out.set(full, mm['type']);
    if (mm['properties']) walk(mm['properties'], full, out);
  }
}

/** Collects the checked field types of a template body (composable, typeless legacy, or typed legacy). */
export function templateFieldTypes(t: Record<string, unknown>, out: FieldTypes): void {
  const inner = (t['template'] && typeof t['template'] === 'object' ? (t['template'] as Record<string, unknown>)['mappings'] : t['mappings']) as
    | Record<string, unknown>
    | undefined;
  if (!inner) return;
  if (inner['properties']) return walk(inner['properties'], '', out);
  // Typed mappings (`_default_`, `doc`, ...).
  for (const m of Object.values(inner)) if (m && typeof m === 'object') walk((m as Record<string, unknown>)['properties'], '', out);
}

function valueAt(doc: Record<string, unknown>, path: string): unknown {
  if (path in doc) return doc[path];
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function fits(type: string, v: unknown): boolean {
  const one = (x: unknown): boolean => {
    if (x === null) return true;
    switch (type) {
      case 'boolean':
        return typeof x === 'boolean' || x === 'true' || x === 'false';
      case 'date':
        return typeof x === 'number' || (typeof x === 'string' && !Number.isNaN(Date.parse(x)));
      case 'long':
      case 'integer':
      case 'short':
      case 'byte':
        return (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && /^-?\d+(\.0*)?$/.test(x.trim()));
      default:
        return (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && x.trim() !== '' && Number.isFinite(Number(x)));
    }
  };
  return Array.isArray(v) ? v.every(one) : one(v);
}

/** The first field of `doc` whose value does not fit its mapped type (as ES coerces: numeric strings fit). */
export function checkDocument(doc: Record<string, unknown>, types: FieldTypes): { field: string; type: string; value: unknown } | undefined {
  for (const [field, type] of types) {
    const v = valueAt(doc, field);
    if (v !== undefined && !fits(type, v)) return { field, type, value: v };
  }
  return undefined;
}
