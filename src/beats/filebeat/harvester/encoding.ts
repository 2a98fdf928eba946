import iconv from 'iconv-lite';

/** Turns one line's bytes into a string. Invalid bytes become U+FFFD; never throws. */
export type LineDecoder = (buf: Buffer, start: number, end: number) => string;

/** How a file's text is encoded: the decoder and the byte sequences of `\n` and `\r`. */
export interface TextEncoding {
  readonly name: string;
  readonly decode: LineDecoder;
  readonly newline: Buffer;
  readonly carriageReturn: Buffer;
  /** Byte-order mark to skip at offset 0, if any. */
  readonly bom: Buffer | undefined;
}

const LF = Buffer.from([0x0a]);
const CR = Buffer.from([0x0d]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const utf8: LineDecoder = (b, s, e) => b.toString('utf8', s, e);
const latin1: LineDecoder = (b, s, e) => b.toString('latin1', s, e);
const utf16le: LineDecoder = (b, s, e) => b.toString('utf16le', s, e - ((e - s) & 1));
const utf16be: LineDecoder = (b, s, e) => {
  const n = (e - s) & ~1;
  const copy = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i += 2) {
    copy[i] = b[s + i + 1]!;
    copy[i + 1] = b[s + i]!;
  }
  return copy.toString('utf16le');
};

/** Encoding names Filebeat 1.0 documents (W3C names) mapped to iconv-lite's. */
const ALIASES: Record<string, string> = {
  'shift-jis': 'shift_jis',
  'windows-31j': 'shift_jis',
  'iso-8859-1': 'latin1',
};

/** Lowercased names accepted for `encoding` (others iconv-lite knows are accepted too). */
export const KNOWN_ENCODINGS = [
  'plain', 'utf-8', 'utf-16le', 'utf-16be', 'latin1', 'iso-8859-1', 'iso-8859-2', 'iso-8859-15', 'windows-1250',
  'windows-1251', 'windows-1252', 'koi8-r', 'koi8-u', 'big5', 'gb18030', 'gbk', 'euc-kr', 'euc-jp',
  'shift-jis',
] as const;

/**
 * The encoding named by a prospector's `encoding` option, or undefined when it is unknown. `plain` and `utf-8`
 * decode as UTF-8 (Filebeat 1.0 passed `plain` bytes through; JSON output then replaced invalid UTF-8 the same way).
 * ASCII-compatible multi-byte encodings (GBK, Shift-JIS, EUC, Big5) never use 0x0a inside a character, so lines
 * are split on that byte before decoding; UTF-16 uses its own two-byte newline. The 7-bit escape encodings
 * hz-gb-2312 and iso-2022-jp are not supported (iconv-lite lacks them): they are config errors.
 */
export function textEncoding(name: string): TextEncoding | undefined {
  const n = name.trim().toLowerCase();
  switch (n) {
    case 'plain':
    case 'utf-8':
    case 'utf8':
      return { name: n, decode: utf8, newline: LF, carriageReturn: CR, bom: UTF8_BOM };
    case 'latin1':
    case 'iso-8859-1':
    case 'binary':
      return { name: n, decode: latin1, newline: LF, carriageReturn: CR, bom: undefined };
    case 'utf-16le':
    case 'utf16le':
      return { name: n, decode: utf16le, newline: Buffer.from([0x0a, 0]), carriageReturn: Buffer.from([0x0d, 0]), bom: Buffer.from([0xff, 0xfe]) };
    case 'utf-16be':
    case 'utf16be':
      return { name: n, decode: utf16be, newline: Buffer.from([0, 0x0a]), carriageReturn: Buffer.from([0, 0x0d]), bom: Buffer.from([0xfe, 0xff]) };
    default: {
      const target = ALIASES[n] ?? n;
      if (!iconv.encodingExists(target)) return undefined;
      const decode: LineDecoder = (b, s, e) => iconv.decode(b.subarray(s, e), target);
      return { name: n, decode, newline: LF, carriageReturn: CR, bom: undefined };
    }
  }
}
