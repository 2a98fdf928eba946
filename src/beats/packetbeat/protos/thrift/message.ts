import type { Idl, IdlField } from './types.js';

/** Limits of the binary-protocol parser: method names, nesting, rendered text, frame length. */
export const MAX_NAME = 64 * 1024;
export const MAX_DEPTH = 64;
export const MAX_RENDER = 4096;
export const MAX_FRAME = 256 * 1024 * 1024;

export interface RenderOptions {
  stringMaxSize: number;
  collectionMaxSize: number;
  obfuscateStrings: boolean;
  dropAfterNStructFields: number;
  idl: Idl;
}

/** What the owner decides once the message header is known: field names of the body, whether to render it. */
export interface BodyPlan {
  names: Map<number, IdlField> | undefined;
  render: boolean;
}

export interface TopField {
  id: number;
  type: number;
  /** Rendered value (undefined when the body is not rendered). */
  text: string | undefined;
  name: string | undefined;
}

export interface ThriftMessage {
  name: string;
  type: number;
  seqId: number;
  ts: number;
  endTs: number;
  bytes: number;
  /** The body struct's fields (ids always; values when rendered). */
  fields: TopField[];
  /** The body rendered as `(name: value, ...)`, when rendered. */
  text: string | undefined;
  /** More struct fields than drop_after_n_struct_fields: the transaction is to be ignored. */
  dropped: boolean;
}
