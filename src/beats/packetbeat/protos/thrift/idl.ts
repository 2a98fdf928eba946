import { emptyIdl, type Idl, type IdlField, type IdlMethod, type IdlType } from './types.js';

/** A syntax error in an IDL file, with its 1-based line. */
export class IdlSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
  }
}

interface Token {
  text: string;
  line: number;
  /** 'id' identifiers and numbers, 'str' string literals, 'p' punctuation. */
  kind: 'id' | 'str' | 'p';
}

const BASE = new Set(['bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid', 'slist', 'void']);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < n && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === '\n') line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = line;
      let j = i + 1;
      while (j < n && src[j] !== c) {
        if (src[j] === '\\') j++;
        if (src[j] === '\n') line++;
        j++;
      }
      if (j >= n) throw new IdlSyntaxError(start, 'unterminated string');
      out.push({ text: src.slice(i + 1, j), line: start, kind: 'str' });
      i = j + 1;
    } else if (/[A-Za-z0-9_.+-]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_.+-]/.test(src[j]!)) j++;
      out.push({ text: src.slice(i, j), line, kind: 'id' });
      i = j;
    } else if ('{}()<>,;:=[]*'.includes(c)) {
      out.push({ text: c, line, kind: 'p' });
      i++;
    } else throw new IdlSyntaxError(line, `unexpected character '${c}'`);
  }
  return out;
}

/** Parses Thrift IDL text into the names Packetbeat needs; merges into `into` when given (several files). */
export function parseIdl(src: string, into: Idl = emptyIdl()): Idl {
  const toks = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => toks[p];
  const lastLine = (): number => toks[Math.min(p, toks.length - 1)]?.line ?? 1;
  const next = (): Token => {
    const t = toks[p++];
    if (t === undefined) throw new IdlSyntaxError(lastLine(), 'unexpected end of file');
    return t;
  };
  const expect = (text: string): void => {
    const t = next();
    if (t.text !== text || t.kind === 'str') throw new IdlSyntaxError(t.line, `expected '${text}', found '${t.text}'`);
  };
  const ident = (): string => {
    const t = next();
    if (t.kind !== 'id') throw new IdlSyntaxError(t.line, `expected a name, found '${t.text}'`);
    return t.text;
  };
  const accept = (text: string): boolean => {
    const t = peek();
    if (t !== undefined && t.kind === 'p' && t.text === text) {
      p++;
      return true;
    }
    return false;
  };
  const sep = (): void => void (accept(',') || accept(';'));
  /** Skips `( key = "value", ... )` annotations. */
  const annotations = (): void => {
    if (!accept('(')) return;
    let depth = 1;
    while (depth > 0) {
      const t = next();
      if (t.kind === 'p' && t.text === '(') depth++;
      else if (t.kind === 'p' && t.text === ')') depth--;
    }
  };
  const constValue = (): void => {
    const t = next();
    if (t.kind === 'p' && (t.text === '[' || t.text === '{')) {
      const close = t.text === '[' ? ']' : '}';
      while (!accept(close)) {
        constValue();
        if (!accept(':')) sep();
        else {
          constValue();
          sep();
        }
      }
    } else if (t.kind === 'p') throw new IdlSyntaxError(t.line, `unexpected '${t.text}' in a constant`);
  };
  const fieldType = (): IdlType => {
    const name = ident();
    if (name === 'map' || name === 'list' || name === 'set') {
      if (peek()?.text === 'cpp_type') {
        next();
        next();
      }
      expect('<');
      const a = fieldType();
      if (name === 'map') {
        expect(',');
        const b = fieldType();
        expect('>');
        annotations();
        return { kind: 'map', key: a, value: b };
      }
      expect('>');
      annotations();
      return { kind: name, elem: a };
    }
    annotations();
    return BASE.has(name) ? { kind: 'base', name } : { kind: 'named', name };
  };
  /** Fields up to `close`; ids may be omitted (then they count down from -1, as the Thrift compiler does). */
  const fields = (close: string): Map<number, IdlField> => {
    const out = new Map<number, IdlField>();
    let auto = -1;
    while (!accept(close)) {
      let id: number;
      const t = peek();
      if (t !== undefined && t.kind === 'id' && /^[+-]?\d+$/.test(t.text) && toks[p + 1]?.text === ':') {
        id = Number(t.text);
        p += 2;
      } else id = auto--;
      const q = peek()?.text;
      if (q === 'required' || q === 'optional') next();
      const type = fieldType();
      const name = ident();
      if (accept('=')) constValue();
      annotations();
      sep();
      out.set(id, { id, name, type });
    }
    return out;
  };

  while (p < toks.length) {
    const t = next();
    const kw = t.text;
    switch (kw) {
      case 'include':
      case 'cpp_include':
        next();
        break;
      case 'namespace':
        next();
        next();
        annotations();
        break;
      case 'const':
        fieldType();
        ident();
        expect('=');
        constValue();
        sep();
        break;
      case 'typedef': {
        const type = fieldType();
        into.typedefs.set(ident(), type);
        annotations();
        sep();
        break;
      }
      case 'enum':
      case 'senum':
        ident();
        expect('{');
        while (!accept('}')) {
          next();
          if (accept('=')) next();
          annotations();
          sep();
        }
        annotations();
        break;
      case 'struct':
      case 'union':
      case 'exception': {
        const name = ident();
        if (peek()?.text === 'xsd_all') next();
        expect('{');
        into.structs.set(name, fields('}'));
        annotations();
        break;
      }
      case 'service': {
        const service = ident();
        if (peek()?.text === 'extends') {
          next();
          ident();
        }
        expect('{');
        while (!accept('}')) {
          const oneway = peek()?.text === 'oneway';
          if (oneway) next();
          const returns = fieldType();
          const name = ident();
          expect('(');
          const params = fields(')');
          let throws = new Map<number, IdlField>();
          if (peek()?.text === 'throws') {
            next();
            expect('(');
            throws = fields(')');
          }
          annotations();
          sep();
          const m: IdlMethod = { service, name, oneway, returns, params, throws };
          if (!into.methods.has(name)) into.methods.set(name, m);
        }
        annotations();
        break;
      }
      default:
        throw new IdlSyntaxError(t.line, `unexpected '${kw}'`);
    }
  }
  return into;
}
