import { describe, expect, it } from 'vitest';
import { XdrError, XdrReader, XdrWriter } from '../../src/libvirt/xdr.js';
import { encodeFrame, FrameSplitter } from '../../src/libvirt/frame.js';
import { readDomain, writeDomain, readRemoteError, uuidFromString, uuidToString } from '../../src/libvirt/structs.js';

const hex = (w: XdrWriter) => w.bytes().toString('hex');

describe('XDR encoding', () => {
  it('writes ints, unsigned ints and hypers big-endian', () => {
    expect(hex(new XdrWriter().int(-2))).toBe('fffffffe');
    expect(hex(new XdrWriter().uint(0xdeadbeef))).toBe('deadbeef');
    expect(hex(new XdrWriter().hyper(-1n))).toBe('ffffffffffffffff');
    expect(hex(new XdrWriter().uhyper(2n ** 63n + 5n))).toBe('8000000000000005');
    expect(hex(new XdrWriter().bool(true).bool(false))).toBe('0000000100000000');
  });

  it('pads strings and opaques to four bytes, with a length word; fixed opaques have none', () => {
    expect(hex(new XdrWriter().string('p1', 100))).toBe('0000000270310000');
    expect(hex(new XdrWriter().string('abcd', 100))).toBe('0000000461626364');
    expect(hex(new XdrWriter().string('', 100))).toBe('00000000');
    expect(hex(new XdrWriter().string('é', 100))).toBe('00000002c3a90000');
    expect(hex(new XdrWriter().fixedOpaque(Buffer.from([1, 2, 3]), 3))).toBe('01020300');
    expect(hex(new XdrWriter().opaque(Buffer.from([9]), 10))).toBe('0000000109000000');
  });

  it('writes optionals as a 0/1 word and arrays with a count', () => {
    expect(hex(new XdrWriter().optional(undefined, (w, v: number) => w.int(v)))).toBe('00000000');
    expect(hex(new XdrWriter().optional(7, (w, v) => w.int(v)))).toBe('0000000100000007');
    expect(hex(new XdrWriter().array([1, 2], 5, (w, v) => w.uint(v)))).toBe('000000020000000100000002');
  });

  it('refuses values out of range or over their maximum', () => {
    expect(() => new XdrWriter().int(2 ** 31)).toThrow(XdrError);
    expect(() => new XdrWriter().uint(-1)).toThrow(XdrError);
    expect(() => new XdrWriter().uhyper(-1n)).toThrow(XdrError);
    expect(() => new XdrWriter().string('toolong', 3)).toThrow(/exceeds its maximum 3/);
    expect(() => new XdrWriter().array([1, 2, 3], 2, (w, v) => w.int(v))).toThrow(XdrError);
    expect(() => new XdrWriter().fixedOpaque(Buffer.alloc(15), 16)).toThrow(XdrError);
  });

  it('grows its buffer for large values', () => {
    const big = 'x'.repeat(100_000);
    const reader = new XdrReader(
      new XdrWriter(4)
        .string(big, 1 << 20)
        .int(5)
        .bytes(),
    );
    expect(reader.string(1 << 20)).toBe(big);
    expect(reader.int()).toBe(5);
    reader.end();
  });
});

describe('XDR decoding', () => {
  it('round-trips every type', () => {
    const uuid = uuidFromString('6695eb01-f6a4-8304-79aa-97f2502e193f');
    const bytes = new XdrWriter()
      .int(-42)
      .uint(4_000_000_000)
      .hyper(-(2n ** 40n))
      .uhyper(2n ** 64n - 1n)
      .bool(true)
      .string('pool-é', 64)
      .fixedOpaque(uuid, 16)
      .opaque(Buffer.from('abcde'), 16)
      .optional('present', (w, v) => w.string(v, 16))
      .optional(undefined, (w, v: string) => w.string(v, 16))
      .array(['a', 'bb', 'ccc'], 3, (w, v) => w.string(v, 8))
      .bytes();
    const r = new XdrReader(bytes);
    expect(r.int()).toBe(-42);
    expect(r.uint()).toBe(4_000_000_000);
    expect(r.hyper()).toBe(-(2n ** 40n));
    expect(r.uhyper()).toBe(2n ** 64n - 1n);
    expect(r.bool()).toBe(true);
    expect(r.string(64)).toBe('pool-é');
    expect(uuidToString(r.fixedOpaque(16))).toBe('6695eb01-f6a4-8304-79aa-97f2502e193f');
    expect(r.opaque(16).toString()).toBe('abcde');
    expect(r.optional((x) => x.string(16))).toBe('present');
    expect(r.optional((x) => x.string(16))).toBeUndefined();
    expect(r.array(3, (x) => x.string(8))).toEqual(['a', 'bb', 'ccc']);
    expect(() => r.end()).not.toThrow();
  });

  it('decodes char arrays widened to four bytes each, as NODE_GET_INFO sends its model', () => {
    const w = new XdrWriter();
    for (const c of Buffer.from('x86_64\0\0')) w.int(c);
    expect(Buffer.from(new XdrReader(w.bytes()).fixedArray(8, (r) => r.int())).toString('latin1')).toBe('x86_64\0\0');
  });

  it('round-trips the domain handle', () => {
    const domain = { name: 'node-1', uuid: uuidFromString('00112233-4455-6677-8899-aabbccddeeff'), id: -1 };
    const w = new XdrWriter();
    writeDomain(w, domain);
    expect(readDomain(new XdrReader(w.bytes()))).toEqual(domain);
  });

  it('refuses truncated input, trailing bytes, bad markers and lengths over their maximum', () => {
    expect(() => new XdrReader(Buffer.from('000000', 'hex')).int()).toThrow(/truncated/);
    expect(() => new XdrReader(Buffer.from('0000000a6162', 'hex')).string(64)).toThrow(/truncated/);
    expect(() => new XdrReader(Buffer.from('00000040', 'hex')).string(16)).toThrow(/exceeds its maximum 16/);
    expect(() => new XdrReader(Buffer.from('00000002', 'hex')).optional((r) => r.int())).toThrow(/optional marker/);
    expect(() => new XdrReader(Buffer.from('00000002', 'hex')).bool()).toThrow(/bool/);
    expect(() => new XdrReader(Buffer.from('ffffffff', 'hex')).array(100, (r) => r.int())).toThrow(/exceeds/);
    const reader = new XdrReader(Buffer.from('0000000100000002', 'hex'));
    reader.int();
    expect(() => reader.end()).toThrow(/4 trailing bytes/);
  });

  it("reads libvirt's error structure", () => {
    const w = new XdrWriter()
      .int(42)
      .int(20)
      .optional("Domain not found: no domain with matching name 'x'", (x, v) => x.string(v, 1000))
      .int(2)
      .uint(0)
      .optional('Domain not found: %s', (x, v) => x.string(v, 100))
      .uint(0)
      .uint(0)
      .int(-1)
      .int(-1)
      .uint(0);
    const r = new XdrReader(w.bytes());
    expect(readRemoteError(r)).toEqual({
      code: 42,
      domain: 20,
      level: 2,
      message: "Domain not found: no domain with matching name 'x'",
    });
    r.end();
  });
});

describe('framing', () => {
  const header = { program: 0x20008086, version: 1, procedure: 84, type: 0, serial: 3, status: 0 };

  it('encodes the worked example of the protocol sheet', () => {
    const frame = encodeFrame(header, new XdrWriter().string('p1', 100).bytes());
    expect(frame.toString('hex')).toBe('00000024200080860000000100000054000000000000000300000000' + '0000000270310000');
  });

  it('reassembles frames split across reads and separates frames sharing a read', () => {
    const a = encodeFrame(header, Buffer.from('00000001', 'hex'));
    const b = encodeFrame({ ...header, serial: 4 });
    const bytes = Buffer.concat([a, b]);
    const splitter = new FrameSplitter();
    const seen = [
      ...splitter.push(bytes.subarray(0, 3)),
      ...splitter.push(bytes.subarray(3, 30)),
      ...splitter.push(bytes.subarray(30)),
    ];
    expect(seen.map((f) => [f.header.serial, f.payload.toString('hex')])).toEqual([
      [3, '00000001'],
      [4, ''],
    ]);
    const together = new FrameSplitter().push(bytes);
    expect(together).toHaveLength(2);
  });

  it("refuses a length below the header size or above libvirt's maximum", () => {
    expect(() => new FrameSplitter().push(Buffer.from('0000001b', 'hex'))).toThrow(/invalid frame length 27/);
    expect(() => new FrameSplitter().push(Buffer.from('7fffffff', 'hex'))).toThrow(/invalid frame length/);
    expect(() => encodeFrame(header, Buffer.alloc(32 * 1024 * 1024))).toThrow(/exceeds/);
  });
});
