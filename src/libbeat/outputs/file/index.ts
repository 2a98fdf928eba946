import { ConfigError } from '../../common/errors.js';
import type { OutputFactory } from '../output.js';

// Placeholder until the file output lands.
export const createFileOutput: OutputFactory = (cfg) => {
  throw new ConfigError(cfg.file, cfg.path, 'this output is not implemented yet');
};
