/**
 * XDR (RFC 4506) as libvirt's rpcgen uses it: big-endian, everything padded to 4 bytes, char and
 * short widened to 4 bytes, hyper as BigInt, optional values as a 0/1 word, variable arrays and
 * opaques with a length word, fixed ones without.
 */

/** Bytes that do not decode as the expected XDR: the connection that sent them cannot be trusted. */
export class XdrError extends Error {}

const padding = (length: number) => (4 - (length % 4)) % 4;

export class XdrWriter {
  private buffer: Buffer;
  private offset = 0;

  constructor(initialSize = 256) {
    this.buffer = Buffer.alloc(initialSize);
  }

  private reserve(bytes: number): void {
    if (this.offset + bytes <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.offset + bytes) size *= 2;
    const grown = Buffer.alloc(size);
    this.buffer.copy(grown, 0, 0, this.offset);
    this.buffer = grown;
  }

  int(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
      throw new XdrError(`int out of range: ${value}`);
    this.reserve(4);
    this.buffer.writeInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  uint(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new XdrError(`unsigned int out of range: ${value}`);
    this.reserve(4);
    this.buffer.writeUInt32BE(value, this.offset);
    this.offset += 4;
    return this;
  }

  hyper(value: bigint): this {
    this.reserve(8);
    this.buffer.writeBigInt64BE(value, this.offset);
    this.offset += 8;
    return this;
  }

  uhyper(value: bigint): this {
    if (value < 0n) throw new XdrError(`unsigned hyper cannot be negative: ${value}`);
    this.reserve(8);
    this.buffer.writeBigUInt64BE(value, this.offset);
    this.offset += 8;
    return this;
  }

  bool(value: boolean): this {
    return this.int(value ? 1 : 0);
  }

  /** Bytes with no length word (fixed opaque, e.g. a 16-byte UUID), padded. */
  fixedOpaque(bytes: Uint8Array, length: number): this {
    if (bytes.length !== length) throw new XdrError(`fixed opaque needs ${length} bytes, got ${bytes.length}`);
    this.reserve(length + padding(length));
    this.buffer.set(bytes, this.offset);
    this.offset += length;
    this.buffer.fill(0, this.offset, this.offset + padding(length));
    this.offset += padding(length);
    return this;
  }

  /** Length word, bytes, padding. */
  opaque(bytes: Uint8Array, max: number): this {
    if (bytes.length > max) throw new XdrError(`opaque of ${bytes.length} bytes exceeds its maximum ${max}`);
    this.uint(bytes.length);
    return this.fixedOpaque(bytes, bytes.length);
  }

  string(value: string, max: number): this {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length > max) throw new XdrError(`string of ${bytes.length} bytes exceeds its maximum ${max}`);
    return this.opaque(bytes, max);
  }

  optional<T>(value: T | undefined | null, write: (w: this, v: T) => unknown): this {
    if (value === undefined || value === null) return this.uint(0);
    this.uint(1);
    write(this, value);
    return this;
  }

  array<T>(items: readonly T[], max: number, write: (w: this, item: T) => unknown): this {
    if (items.length > max) throw new XdrError(`array of ${items.length} exceeds its maximum ${max}`);
    this.uint(items.length);
    for (const item of items) write(this, item);
    return this;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.offset);
  }
}

export class XdrReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  private take(bytes: number): number {
    if (this.offset + bytes > this.buffer.length) {
      throw new XdrError(
        `truncated: needed ${bytes} bytes at offset ${this.offset}, ${this.buffer.length - this.offset} left`,
      );
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  int(): number {
    return this.buffer.readInt32BE(this.take(4));
  }

  uint(): number {
    return this.buffer.readUInt32BE(this.take(4));
  }

  hyper(): bigint {
    return this.buffer.readBigInt64BE(this.take(8));
  }

  uhyper(): bigint {
    return this.buffer.readBigUInt64BE(this.take(8));
  }

  bool(): boolean {
    const value = this.int();
    if (value !== 0 && value !== 1) throw new XdrError(`bool must be 0 or 1, got ${value}`);
    return value === 1;
  }

  fixedOpaque(length: number): Buffer {
    const at = this.take(length + padding(length));
    return Buffer.from(this.buffer.subarray(at, at + length));
  }

  opaque(max: number): Buffer {
    const length = this.uint();
    if (length > max) throw new XdrError(`opaque length ${length} exceeds its maximum ${max}`);
    return this.fixedOpaque(length);
  }

  string(max: number): string {
    return this.opaque(max).toString('utf8');
  }

  optional<T>(read: (r: this) => T): T | undefined {
    const present = this.uint();
    if (present === 0) return undefined;
    if (present !== 1) throw new XdrError(`optional marker must be 0 or 1, got ${present}`);
    return read(this);
  }

  array<T>(max: number, read: (r: this) => T): T[] {
    const count = this.uint();
    if (count > max) throw new XdrError(`array count ${count} exceeds its maximum ${max}`);
    const items: T[] = [];
    for (let i = 0; i < count; i += 1) items.push(read(this));
    return items;
  }

  fixedArray<T>(count: number, read: (r: this) => T): T[] {
    return Array.from({ length: count }, () => read(this));
  }

  /** A decoder must consume the whole payload: leftovers mean the two sides disagree on the shape. */
  end(): void {
    if (this.offset !== this.buffer.length) {
      throw new XdrError(`${this.buffer.length - this.offset} trailing bytes after the expected structure`);
    }
  }
}
