import { BeatsError } from '../common/errors.js';
import type { FieldGroup } from './fields.js';
import { buildProperties, dynamicTemplates } from './mapping.js';

/** The cluster version a template is built for (see outputs/elasticsearch/version.ts). */
export interface TargetVersion {
  major: number;
  minor: number;
}

export interface TemplateSpec {
  name: string;
  /** Index pattern, e.g. `topbeat-*`. */
  pattern: string;
  groups: readonly FieldGroup[];
  /** Written into `_meta` so an operator can tell which beat made the template. */
  beat: string;
  beatVersion: string;
  /** Extra `index.*` settings (template.settings). */
  settings?: Record<string, unknown>;
}

/** Where a template goes: composable `_index_template` (ES >= 7.8) or legacy `_template`. */
export type TemplateApi = '_index_template' | '_template';

export interface BuiltTemplate {
  api: TemplateApi;
  name: string;
  body: Record<string, unknown>;
}

export function templateApi(v: TargetVersion): TemplateApi {
  return v.major > 7 || (v.major === 7 && v.minor >= 8) ? '_index_template' : '_template';
}

/**
 * Builds the index template for a cluster version:
 * - ES >= 7.8: composable `{index_patterns, priority, template: {settings, mappings}, _meta}`;
 * - 7.0-7.7: legacy, typeless mappings;
 * - 6.x: legacy with the single mapping type `doc` (what the output sends as `_type`);
 * - 1.x-5.x: legacy `{template: pattern}` with `_default_` mappings (applies to every event type); `string` fields
 *   before 5.0.
 */
export function buildTemplate(spec: TemplateSpec, v: TargetVersion): BuiltTemplate {
  const properties = buildProperties(spec.groups, v.major);
  const meta = { beat: spec.beat, version: spec.beatVersion };
  const settings = { index: { refresh_interval: '5s', ...(spec.settings ?? {}) } };
  const mapping: Record<string, unknown> = { _meta: meta, dynamic_templates: dynamicTemplates(v.major), properties };
  const api = templateApi(v);
  if (api === '_index_template') {
    return {
      api,
      name: spec.name,
      body: { index_patterns: [spec.pattern], priority: 150, template: { settings, mappings: mapping }, _meta: meta },
    };
  }
  if (v.major >= 7) return { api, name: spec.name, body: { index_patterns: [spec.pattern], order: 1, settings, mappings: mapping } };
  if (v.major === 6) return { api, name: spec.name, body: { index_patterns: [spec.pattern], order: 1, settings, mappings: { doc: mapping } } };
  const legacy: Record<string, unknown> = { ...mapping };
  if (v.major < 5) legacy['_all'] = { enabled: true };
  return { api, name: spec.name, body: { template: spec.pattern, order: 1, settings, mappings: { _default_: legacy } } };
}

/**
 * A user's template file (`template.path`) goes to the API its shape belongs to: composable templates have a
 * `template` object, legacy ones a `template` pattern string (1.x-5.x) or `mappings` at the top.
 */
export function userTemplate(name: string, json: Record<string, unknown>, v: TargetVersion): BuiltTemplate {
  const composable = json['template'] !== null && typeof json['template'] === 'object';
  if (composable && templateApi(v) !== '_index_template') {
    throw new BeatsError('BEAT_ERR_CONFIG', `template.path holds a composable template, which Elasticsearch ${v.major}.${v.minor} does not support (7.8+)`);
  }
  return { api: composable ? '_index_template' : '_template', name, body: json };
}
