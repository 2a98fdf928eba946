import type { ProtocolFactory } from '../protocol.js';
import { readThriftConfig } from './config.js';
import { ThriftProtocol } from './thrift.js';

/** `protocols.thrift`: Thrift-RPC, binary protocol, socket or framed transport, names from `idl_files`. */
export const createThriftProtocol: ProtocolFactory = (cfg, ctx) => new ThriftProtocol(readThriftConfig(cfg), ctx);

export { ThriftProtocol } from './thrift.js';
export { ThriftStream } from './binary-parser.js';
export { parseIdl } from './idl.js';
