import { ConfigError } from '../../../../libbeat/common/errors.js';
import type { ProtocolFactory } from '../protocol.js';

// Placeholder until the thrift protocol lands.
export const createThriftProtocol: ProtocolFactory = (cfg) => {
  throw new ConfigError(cfg.file, cfg.path, 'this protocol is not implemented yet');
};
