import { describe, expect, it } from 'vitest';
import { fromBytes, isSizeUnit, toBytes } from '../../src/libvirt/xml/units.js';

describe('libvirt size units', () => {
  it('reads powers of 1024 and of 1000 as libvirt names them, in any case', () => {
    expect(toBytes('7', 'b')).toBe(7);
    expect(toBytes('7', 'bytes')).toBe(7);
    expect(toBytes('2', 'k')).toBe(2048);
    expect(toBytes('2', 'KiB')).toBe(2048);
    expect(toBytes('2', 'KB')).toBe(2000);
    expect(toBytes('3', 'M')).toBe(3 * 1024 ** 2);
    expect(toBytes('3', 'mib')).toBe(3 * 1024 ** 2);
    expect(toBytes('3', 'MB')).toBe(3_000_000);
    expect(toBytes('1', 'GiB')).toBe(1024 ** 3);
    expect(toBytes('1', 'GB')).toBe(1e9);
    expect(toBytes('1', 'T')).toBe(1024 ** 4);
    expect(toBytes('1', 'TB')).toBe(1e12);
    expect(toBytes('1', 'PiB')).toBe(1024 ** 5);
    expect(toBytes(5, 'MiB')).toBe(5 * 1024 ** 2);
    expect(toBytes(' 12 ', 'b')).toBe(12);
  });

  it("uses the element's default unit when the attribute is absent", () => {
    expect(toBytes('1', undefined)).toBe(1024);
    expect(toBytes('1', undefined, 'bytes')).toBe(1);
    expect(toBytes('1', 'MiB', 'bytes')).toBe(1024 ** 2);
  });

  it('refuses what is not a whole size, an unknown unit, and sizes past exact arithmetic', () => {
    expect(() => toBytes('1', 'parsecs')).toThrow(/unknown libvirt size unit 'parsecs'/);
    expect(() => toBytes('-1', 'KiB')).toThrow(/not a size: '-1'/);
    expect(() => toBytes('1.5', 'GiB')).toThrow(/not a size/);
    expect(() => toBytes('', 'KiB')).toThrow(/not a size/);
    expect(() => toBytes('0x10', 'KiB')).toThrow(/not a size/);
    expect(() => toBytes(Number.NaN, 'KiB')).toThrow(/not a size/);
    // 2^60 bytes is past Number.MAX_SAFE_INTEGER; 7 PiB is not.
    expect(() => toBytes('1', 'EiB')).toThrow(/too large/);
    expect(toBytes('0', 'EiB')).toBe(0);
    expect(toBytes('7', 'PiB')).toBe(7 * 1024 ** 5);
  });

  it('converts bytes back, rounding down, and round-trips whole amounts', () => {
    expect(fromBytes(3 * 1024 ** 2 + 5, 'MiB')).toBe(3);
    expect(fromBytes(1023, 'KiB')).toBe(0);
    expect(fromBytes(5e9, 'GB')).toBe(5);
    expect(fromBytes(4096, 'bytes')).toBe(4096);
    for (const unit of ['b', 'KiB', 'MiB', 'GiB', 'TiB', 'KB', 'MB', 'GB'])
      expect(fromBytes(toBytes('37', unit), unit)).toBe(37);
    expect(() => fromBytes(-1, 'KiB')).toThrow(/not a byte count/);
    expect(() => fromBytes(1.5, 'KiB')).toThrow(/not a byte count/);
    expect(() => fromBytes(1, 'furlongs')).toThrow(/unknown libvirt size unit/);
  });

  it("tells libvirt's unit names from others", () => {
    expect(['b', 'bytes', 'KiB', 'k', 'MB', 'gib', 'E'].every(isSizeUnit)).toBe(true);
    expect(['', 'KBytes', 'kilo', 'Z'].some(isSizeUnit)).toBe(false);
  });
});
