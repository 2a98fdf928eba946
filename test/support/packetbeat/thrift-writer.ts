/** A small Thrift binary-protocol writer for tests and benchmarks (fluent: `new ThriftWriter().strictHead(...)`). */
export class ThriftWriter {
  parts: Buffer[] = [];
  u8(n: number): this {
    this.parts.push(Buffer.from([n & 0xff]));
    return this;
  }
  i16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  i32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  i64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  dbl(n: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    this.parts.push(b);
    return this;
  }
  str(s: string): this {
    const b = Buffer.from(s);
    return this.i32(b.length).raw(b);
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  field(type: number, id: number): this {
    return this.u8(type).i16(id);
  }
  stop(): this {
    return this.u8(0);
  }
  strictHead(type: number, name: string, seq: number): this {
    return this.u8(0x80).u8(0x01).u8(0).u8(type).str(name).i32(seq);
  }
  oldHead(type: number, name: string, seq: number): this {
    return this.str(name).u8(type).i32(seq);
  }
  /** Raw bytes (a byte each). */
  b(...x: number[]): this {
    this.parts.push(Buffer.from(x));
    return this;
  }
  buf(): Buffer {
    return Buffer.concat(this.parts);
  }
}
