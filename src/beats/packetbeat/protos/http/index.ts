import { ConfigError } from '../../../../libbeat/common/errors.js';
import type { ProtocolFactory } from '../protocol.js';

// Placeholder until the http protocol lands.
export const createHttpProtocol: ProtocolFactory = (cfg) => {
  throw new ConfigError(cfg.file, cfg.path, 'this protocol is not implemented yet');
};
