import type { BeatInfo } from '../../beat/info.js';
import type { Logger } from '../../logp/logger.js';
import { beatFieldsFiles, loadFieldsFile } from '../../template/fields.js';
import { TemplateLoader } from '../../template/loader.js';
import { buildTemplate, userTemplate } from '../../template/template.js';
import type { TemplateConfig } from './config.js';
import type { TemplateHook } from './client.js';

/**
 * The ES output's template step: the user's `template.path` JSON when given, else the template generated from the
 * beat's fields files (libbeat's + `etc/fields/<beat>.fields.yml` + `template.fields`). Fields files are read at
 * startup so a broken one is reported before anything connects.
 */
export function createTemplateHook(cfg: TemplateConfig, beat: BeatInfo, log: Logger): TemplateHook {
  const json = cfg.json;
  let build;
  if (json) build = (v: { major: number; minor: number }) => userTemplate(cfg.name, json, v);
  else {
    const groups = beatFieldsFiles(beat.beat, cfg.fieldsFiles).flatMap((f) => loadFieldsFile(f));
    build = (v: { major: number; minor: number }) =>
      buildTemplate({ name: cfg.name, pattern: cfg.pattern, groups, beat: beat.beat, beatVersion: beat.version, settings: cfg.settings }, v);
  }
  return new TemplateLoader(build, cfg.overwrite, log);
}
