import { readFileSync } from 'node:fs';
import type { ConfigNode } from '../../../../libbeat/config/config-node.js';
import { readCommonConfig, type CommonProtocolConfig } from '../common-config.js';
import { IdlSyntaxError, parseIdl } from './idl.js';
import { emptyIdl, type Idl } from './types.js';

export const THRIFT_DEFAULT_PORTS = [9090] as const;

export interface ThriftConfig extends CommonProtocolConfig {
  /** The transport of connections whose first bytes do not tell (a strict header shows either way). */
  framed: boolean;
  idl: Idl;
  stringMaxSize: number;
  collectionMaxSize: number;
  captureReply: boolean;
  obfuscateStrings: boolean;
  dropAfterNStructFields: number;
}

/** `protocols.thrift`: common options plus the Packetbeat 1.0 thrift options. Reads the IDL files. */
export function readThriftConfig(cfg: ConfigNode): ThriftConfig {
  const transport = cfg.oneOf('transport_type', ['socket', 'framed'] as const, 'socket');
  cfg.oneOf('protocol_type', ['binary'] as const, 'binary');
  const idl = emptyIdl();
  for (const file of cfg.strList('idl_files', [])) {
    let src: string;
    try {
      src = readFileSync(file, 'utf8');
    } catch (e) {
      throw cfg.error('idl_files', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    try {
      parseIdl(src, idl);
    } catch (e) {
      if (e instanceof IdlSyntaxError) throw cfg.error('idl_files', `${file} ${e.message}`);
      throw e;
    }
  }
  return {
    ...readCommonConfig(cfg, THRIFT_DEFAULT_PORTS),
    framed: transport === 'framed',
    idl,
    stringMaxSize: cfg.int('string_max_size', 200, { min: 0 }),
    collectionMaxSize: cfg.int('collection_max_size', 15, { min: 0 }),
    captureReply: cfg.bool('capture_reply', true),
    obfuscateStrings: cfg.bool('obfuscate_strings', false),
    dropAfterNStructFields: cfg.int('drop_after_n_struct_fields', 500, { min: 1 }),
  };
}
