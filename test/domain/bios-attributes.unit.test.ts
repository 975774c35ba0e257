import { describe, expect, it } from 'vitest';
import { BIOS_DEFAULTS, checkBiosAttributes } from '../../src/domain/system/bios-attributes.js';

describe('BIOS attribute checks', () => {
  it('accepts values of the right type within their lists and ranges', () => {
    expect(
      checkBiosAttributes({
        ProcVirtualization: 'Disabled',
        BootRetryCount: 0,
        SriovGlobalEnable: true,
        AssetTag: 'rack 4',
      }),
    ).toEqual([]);
    expect(checkBiosAttributes({ ...BIOS_DEFAULTS })).toEqual([]);
  });

  it('names every bad attribute with the Base message for what is wrong with it', () => {
    const problems = checkBiosAttributes({
      Nope: 1,
      ProcVirtualization: 'Maybe',
      BootRetryCount: 2.5,
      SriovGlobalEnable: 'true',
      AssetTag: 'x'.repeat(65),
      NumLockState: 1,
    });
    expect(problems.map((p) => [p.messageId, ...p.messageArgs, ...(p.relatedProperties ?? [])])).toEqual([
      ['PropertyUnknown', 'Nope', '/Attributes/Nope'],
      ['PropertyValueNotInList', 'Maybe', 'ProcVirtualization', '/Attributes/ProcVirtualization'],
      ['PropertyValueTypeError', '2.5', 'BootRetryCount', '/Attributes/BootRetryCount'],
      ['PropertyValueTypeError', '"true"', 'SriovGlobalEnable', '/Attributes/SriovGlobalEnable'],
      ['PropertyValueOutOfRange', 'x'.repeat(65), 'AssetTag', '/Attributes/AssetTag'],
      ['PropertyValueTypeError', '1', 'NumLockState', '/Attributes/NumLockState'],
    ]);
    expect(checkBiosAttributes({ BootRetryCount: 11 })[0]).toMatchObject({
      messageId: 'PropertyValueOutOfRange',
      status: 400,
    });
  });
});
