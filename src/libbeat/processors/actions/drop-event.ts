import type { ConfigNode } from '../../config/config-node.js';
import type { Processor } from '../processor.js';
import { checkKeys } from '../config-util.js';

/** `drop_event: {when: …}`: drops the matching events (without `when`, every event). */
export function createDropEvent(cfg: ConfigNode): Processor {
  checkKeys(cfg, 'drop_event', ['when']);
  return DROP_EVENT;
}

const DROP_EVENT: Processor = {
  name: 'drop_event',
  run: () => null,
};
