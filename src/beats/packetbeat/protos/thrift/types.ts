/** Thrift wire type ids (binary protocol). */
export const T = {
  STOP: 0,
  VOID: 1,
  BOOL: 2,
  BYTE: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;

/** Message types of the message header. */
export const MessageType = { CALL: 1, REPLY: 2, EXCEPTION: 3, ONEWAY: 4 } as const;
export const MESSAGE_TYPE_NAMES: Record<number, string> = { 1: 'CALL', 2: 'REPLY', 3: 'EXCEPTION', 4: 'ONEWAY' };

/** A type from an IDL file, enough to name the fields of nested structs. */
export type IdlType =
  | { kind: 'base'; name: string }
  | { kind: 'named'; name: string }
  | { kind: 'list' | 'set'; elem: IdlType }
  | { kind: 'map'; key: IdlType; value: IdlType };

export interface IdlField {
  id: number;
  name: string;
  type: IdlType;
}

export interface IdlMethod {
  service: string;
  name: string;
  oneway: boolean;
  returns: IdlType;
  params: Map<number, IdlField>;
  throws: Map<number, IdlField>;
}

/** What the IDL files declare: structs/unions/exceptions by name, methods by name (first service wins). */
export interface Idl {
  structs: Map<string, Map<number, IdlField>>;
  methods: Map<string, IdlMethod>;
  /** typedef name -> type */
  typedefs: Map<string, IdlType>;
}

export function emptyIdl(): Idl {
  return { structs: new Map(), methods: new Map(), typedefs: new Map() };
}

/** Field names of the struct a type refers to (following typedefs), if the IDL declares it. */
export function structFields(idl: Idl, t: IdlType | undefined, depth = 0): Map<number, IdlField> | undefined {
  if (t === undefined || t.kind !== 'named' || depth > 16) return undefined;
  const s = idl.structs.get(t.name);
  if (s !== undefined) return s;
  const td = idl.typedefs.get(t.name);
  return td !== undefined ? structFields(idl, td, depth + 1) : undefined;
}

/** Resolves typedefs (bounded, so cyclic typedefs cannot loop). */
export function resolveType(idl: Idl, t: IdlType | undefined): IdlType | undefined {
  let cur = t;
  for (let i = 0; i < 16 && cur !== undefined && cur.kind === 'named'; i++) {
    const next = idl.typedefs.get(cur.name);
    if (next === undefined) return cur;
    cur = next;
  }
  return cur;
}
