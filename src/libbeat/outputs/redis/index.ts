import { ConfigError } from '../../common/errors.js';
import type { OutputFactory } from '../output.js';

// Placeholder until the redis output lands.
export const createRedisOutput: OutputFactory = (cfg) => {
  throw new ConfigError(cfg.file, cfg.path, 'this output is not implemented yet');
};
