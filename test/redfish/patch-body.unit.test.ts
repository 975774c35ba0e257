import { describe, expect, it } from 'vitest';
import { readPatchBody } from '../../src/redfish/patch-body.js';
import { RedfishHttpError } from '../../src/redfish/redfish-error.js';

/** A ComputerSystem as served, enough of it for the reader to judge a body by. */
const SYSTEM = {
  '@odata.type': '#ComputerSystem.v1_27_0.ComputerSystem',
  Id: 'n1',
  Name: 'Node one',
  AssetTag: '',
  HostName: 'node-1',
  IndicatorLED: 'Off',
  Boot: {
    BootSourceOverrideTarget: 'None',
    'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Hdd'],
    BootSourceOverrideEnabled: 'Disabled',
  },
};
const CLAIMED = ['AssetTag', 'IndicatorLED', 'Boot/BootSourceOverrideTarget', 'Boot/BootSourceOverrideEnabled'];

/** What the reader refuses a body with: each message's id and first argument. */
function refusal(body: unknown, current: Record<string, unknown> = SYSTEM): string[][] {
  try {
    readPatchBody(body, current, CLAIMED);
  } catch (error) {
    expect(error).toBeInstanceOf(RedfishHttpError);
    const { status, messages } = error as RedfishHttpError;
    expect(status).toBe(400);
    return messages.map((m) => [m.MessageId.split('.').pop()!, ...(m.RelatedProperties ?? [])]);
  }
  return [];
}

describe('readPatchBody: one reader of PATCH bodies against the CSDL', () => {
  it('hands back a body of claimed, well-typed, listed values', () => {
    const body = { AssetTag: 'rack-7', Boot: { BootSourceOverrideTarget: 'Pxe' }, '@odata.etag': 'W/"1"' };
    expect(readPatchBody(body, SYSTEM, CLAIMED)).toEqual(body);
  });

  it('refuses unknown, read-only, mistyped and unlisted values, every one, in body order', () => {
    expect(
      refusal({
        Frobnicate: 1,
        Id: 'n2',
        AssetTag: 7,
        IndicatorLED: 'Purple',
        Boot: { BootSourceOverrideTarget: 'Cd', BootSourceOverrideEnabled: 'Sometimes' },
      }),
    ).toEqual([
      ['PropertyUnknown', '/Frobnicate'],
      ['PropertyNotWritable', '/Id'],
      ['PropertyValueTypeError', '/AssetTag'],
      ['PropertyValueNotInList', '/IndicatorLED'],
      // Cd is in the schema's enum, but not in the resource's AllowableValues.
      ['PropertyValueNotInList', '/Boot/BootSourceOverrideTarget'],
      ['PropertyValueNotInList', '/Boot/BootSourceOverrideEnabled'],
    ]);
  });

  it('takes a writable property it does not keep at its own value only; one not served is unknown', () => {
    expect(refusal({ HostName: 'node-1' })).toEqual([]);
    expect(refusal({ HostName: 'elsewhere' })).toEqual([['PropertyValueNotInList', '/HostName']]);
    expect(refusal({ Description: 'x' })).toEqual([['PropertyNotWritable', '/Description']]);
    expect(refusal({ LocationIndicatorActive: true })).toEqual([['PropertyUnknown', '/LocationIndicatorActive']]);
  });

  it('refuses what is not a JSON object as MalformedJSON', () => {
    expect(refusal([1])).toEqual([['MalformedJSON']]);
  });

  it('never echoes a secret in its messages', () => {
    const account = { '@odata.type': '#ManagerAccount.v1_14_1.ManagerAccount', UserName: 'ops', Password: null };
    try {
      readPatchBody({ Password: 12345678 }, account, ['Password']);
      expect.unreachable();
    } catch (error) {
      const [message] = (error as RedfishHttpError).messages;
      expect(message!.MessageArgs).toEqual(['(not shown)', 'Password']);
      expect(JSON.stringify(message)).not.toContain('12345678');
    }
  });
});
