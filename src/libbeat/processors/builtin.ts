import { ProcessorRegistry } from './registry.js';
import { createDropFields } from './actions/drop-fields.js';
import { createIncludeFields } from './actions/include-fields.js';
import { createDropEvent } from './actions/drop-event.js';
import { createAddFields } from './actions/add-fields.js';
import { createAddTags } from './actions/add-tags.js';
import { createRename } from './actions/rename.js';

/** The processors every beat ships with: the one place that maps a config name to its factory. */
export function builtinProcessors(): ProcessorRegistry {
  const r = new ProcessorRegistry();
  r.register('drop_fields', createDropFields);
  r.register('include_fields', createIncludeFields);
  r.register('drop_event', createDropEvent);
  r.register('add_fields', createAddFields);
  r.register('add_tags', createAddTags);
  r.register('rename', createRename);
  return r;
}
