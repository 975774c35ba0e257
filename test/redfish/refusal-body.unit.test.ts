import { describe, expect, it } from 'vitest';
import { recordedBody } from '../../src/redfish/refusal-body.js';

describe('the body of a refused request as recorded', () => {
  it('redacts passwords, tokens and secrets at any depth, image server user names, URL credentials and private keys', () => {
    const body = {
      Password: 'p1',
      Oem: { Vendor: { password: 'p2', AuthToken: 't', ClientSecret: 's' } },
      Targets: [{ UserName: 'u', Image: 'http://u:p3@host/x.iso' }],
      Certificate: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----',
      RAIDType: 'RAID7',
    };
    expect(recordedBody(body, { limitBytes: 4096, isLogin: false })).toEqual({
      body: {
        Password: '[redacted]',
        Oem: { Vendor: { password: '[redacted]', AuthToken: '[redacted]', ClientSecret: '[redacted]' } },
        Targets: [{ UserName: '[redacted]', Image: 'http://[redacted]@host/x.iso' }],
        Certificate: '[redacted]',
        RAIDType: 'RAID7',
      },
    });
    // A login's user name says who tried.
    expect(recordedBody({ UserName: 'eve', Password: 'x' }, { limitBytes: 4096, isLogin: true })).toEqual({
      body: { UserName: 'eve', Password: '[redacted]' },
    });
  });

  it('keeps the first bytes of a body over the limit, as text, with its size; nothing for no body', () => {
    // 20 bytes: 9 of '{"Name":"', five é of two bytes each, and half of the sixth, left out.
    const recorded = recordedBody({ Name: 'é'.repeat(100) }, { limitBytes: 20, isLogin: false });
    expect(recorded).toEqual({ body: '{"Name":"ééééé', bodyBytes: 211 });
    expect(recordedBody(undefined, { limitBytes: 20, isLogin: false })).toEqual({});
  });
});
