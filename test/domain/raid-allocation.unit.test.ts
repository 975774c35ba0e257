import { describe, expect, it } from 'vitest';
import { ceilDiv, floorDiv } from '../../src/domain/storage/raid/capacity.js';
import { freeBytesByDrive, type AllocatedVolume } from '../../src/domain/storage/raid/free-space.js';
import { planVolume, type VolumeAllocation, type VolumeRequest } from '../../src/domain/storage/raid/plan-volume.js';
import { drive, expectAllocation, expectProblem, GiB, gibDrives, ids, KiB, MiB } from './raid-fixtures.js';

function allocated(id: string, result: ReturnType<typeof planVolume>): AllocatedVolume {
  const a = expectAllocation<VolumeAllocation>(result);
  return { id, raidType: a.raidType, members: a.members, setSize: a.setSize, extentBytes: a.extentBytes };
}

describe('capacity', () => {
  it('takes the smallest member: RAID5 over 1, 2 and 1.5 GiB drives gives 2 × 1 GiB', () => {
    const drives = [drive('a', GiB), drive('b', 2 * GiB), drive('c', 1.5 * GiB)];
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID5', drives: ['a', 'b', 'c'] }, drives, []),
    );
    expect(a).toMatchObject({
      extentBytes: GiB,
      capacityBytes: 2 * GiB,
      largestCapacityBytes: 2 * GiB,
      blockSizeBytes: 512,
      stripSizeBytes: 64 * KiB,
    });
  });

  it('rounds the extent down to whole 64 KiB strips for striped levels', () => {
    // 1 GiB + 70000 B: one more whole strip (65536) fits, 4464 bytes do not.
    const drives = [drive('a', GiB + 100_000), drive('b', GiB + 70_000)];
    const a = expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID0', drives: ['a', 'b'] }, drives, []));
    expect(a.extentBytes).toBe(1_073_807_360);
    expect(a.capacityBytes).toBe(2_147_614_720);
  });

  it('rounds only to whole blocks for mirrors: two 899527000064-byte drives make a volume of that size', () => {
    // 899527000064 = 1756888672 × 512, but not a whole number of 64 KiB strips (remainder 49152).
    const drives = [drive('a', 899_527_000_064), drive('b', 899_527_000_064)];
    const mirror = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID1', drives: ['a', 'b'] }, drives, []),
    );
    expect(mirror).toMatchObject({
      capacityBytes: 899_527_000_064,
      extentBytes: 899_527_000_064,
      stripSizeBytes: undefined,
    });
    const stripe = expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID0', drives: ['a'] }, drives, []));
    expect(stripe.capacityBytes).toBe(899_526_950_912);
  });

  it('rounds to 4 KiB blocks on 4Kn drives', () => {
    const drives = [drive('a', GiB + 5000, { blockSizeBytes: 4096 }), drive('b', GiB + 5000, { blockSizeBytes: 4096 })];
    const a = expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID1', drives: ['a', 'b'] }, drives, []));
    expect(a).toMatchObject({ capacityBytes: GiB + 4096, blockSizeBytes: 4096 });
  });

  it('honours a requested strip size: 1 MiB strips leave a trailing half MiB unused', () => {
    const drives = [drive('a', GiB + 512 * KiB), drive('b', GiB + 512 * KiB)];
    const byDefault = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID0', drives: ['a', 'b'] }, drives, []),
    );
    expect(byDefault.capacityBytes).toBe(2 * GiB + MiB);
    const wide = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID0', drives: ['a', 'b'], stripSizeBytes: MiB }, drives, []),
    );
    expect(wide).toMatchObject({ capacityBytes: 2 * GiB, extentBytes: GiB, stripSizeBytes: MiB });
  });

  it('gives a requested size, rounded up to whole blocks, with extents rounded up to whole strips', () => {
    // 10 MiB + 1 B → 10486272 (next 512 multiple); ÷ 2 data members = 5243136 → 81 strips = 5308416.
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID5', drives: ids(3), capacityBytes: 10 * MiB + 1 }, gibDrives(3), []),
    );
    expect(a).toMatchObject({ capacityBytes: 10_486_272, extentBytes: 5_308_416, largestCapacityBytes: 2 * GiB });
  });

  it('splits a requested size evenly over the data members', () => {
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID6', drives: ids(6), capacityBytes: 2 * GiB }, gibDrives(6), []),
    );
    expect(a).toMatchObject({ capacityBytes: 2 * GiB, extentBytes: 512 * MiB });
  });

  it('accepts the largest size Ironic computes (64 KiB strips × data drives) for every spanned level it uses', () => {
    const cases: readonly [string, number, number][] = [
      ['RAID10', 4, 2 * GiB],
      ['RAID50', 6, 4 * GiB],
      ['RAID60', 8, 4 * GiB],
    ];
    for (const [raidType, count, capacityBytes] of cases) {
      const a = expectAllocation<VolumeAllocation>(
        planVolume({ raidType, drives: ids(count), capacityBytes }, gibDrives(count), []),
      );
      expect(a.extentBytes).toBe(GiB);
    }
  });

  it('refuses a size larger than fits, and takes the largest that fits', () => {
    const request: VolumeRequest = { raidType: 'RAID5', drives: ids(3) };
    expectProblem(planVolume({ ...request, capacityBytes: 2 * GiB + 1 }, gibDrives(3), []), {
      messageId: 'PropertyValueOutOfRange',
      args: ['2147483649', 'CapacityBytes'],
      related: ['#/CapacityBytes'],
    });
    expect(
      expectAllocation<VolumeAllocation>(planVolume({ ...request, capacityBytes: 2 * GiB }, gibDrives(3), []))
        .extentBytes,
    ).toBe(GiB);
  });
});

describe('large numbers', () => {
  it('divides exactly where a float quotient would round to the wrong integer', () => {
    // (2^53 − 1) / (2^53 − 2) is 1 + 2^-53 (about), which a double rounds to exactly 1.
    expect(floorDiv(2 ** 53 - 1, 2 ** 53 - 2)).toBe(1);
    expect(ceilDiv(2 ** 53 - 1, 2 ** 53 - 2)).toBe(2);
    expect(floorDiv(2 ** 53 - 1, 3)).toBe(3_002_399_751_580_330);
    expect(ceilDiv(2 ** 53 - 1, 3)).toBe(3_002_399_751_580_331);
    expect(ceilDiv(6, 3)).toBe(2);
  });

  it('sizes petabyte drives exactly', () => {
    // Three drives of 2 PiB + 12345 B: the 12345 bytes are less than a strip, so 3 × 2^51.
    const drives = [drive('a', 2 ** 51 + 12_345), drive('b', 2 ** 51 + 12_345), drive('c', 2 ** 51 + 12_345)];
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID0', drives: ['a', 'b', 'c'] }, drives, []),
    );
    expect(a).toMatchObject({ extentBytes: 2 ** 51, capacityBytes: 6_755_399_441_055_744 });
  });

  it('caps a volume below 2^53 bytes so its size stays exact', () => {
    // Four 2^52-byte drives would give 2^54; the cap is the largest whole number of strips per
    // member with 4 × extent ≤ 2^53 − 1, i.e. 2^51 − 65536 (2^51 itself gives exactly 2^53).
    const drives = ['a', 'b', 'c', 'd'].map((id) => drive(id, 2 ** 52));
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID0', drives: ['a', 'b', 'c', 'd'] }, drives, []),
    );
    expect(a.extentBytes).toBe(2 ** 51 - 65_536);
    expect(a.capacityBytes).toBe(2 ** 53 - 4 * 65_536);
  });
});

describe('space shared with other volumes', () => {
  it('counts every volume holding space on a drive', () => {
    const volumes: AllocatedVolume[] = [
      { id: 'v1', raidType: 'RAID1', members: ['d0', 'd1'], setSize: 2, extentBytes: 256 * MiB },
      { id: 'v2', raidType: 'RAID0', members: ['d0'], setSize: 1, extentBytes: 128 * MiB },
      { id: 'v3', raidType: 'RAID0', members: ['elsewhere'], setSize: 1, extentBytes: GiB },
    ];
    expect(Object.fromEntries(freeBytesByDrive(gibDrives(3), volumes))).toEqual({
      d0: 640 * MiB,
      d1: 768 * MiB,
      d2: GiB,
    });
  });

  it('never reports negative free space', () => {
    const volumes: AllocatedVolume[] = [
      { id: 'v1', raidType: 'RAID0', members: ['d0'], setSize: 1, extentBytes: 2 * GiB },
    ];
    expect(freeBytesByDrive(gibDrives(1), volumes).get('d0')).toBe(0);
  });

  it('sizes a new volume on what the others left: RAID5 over a RAID1 pair and a free drive', () => {
    const volumes: AllocatedVolume[] = [
      { id: 'v1', raidType: 'RAID1', members: ['d0', 'd1'], setSize: 2, extentBytes: 256 * MiB },
    ];
    const a = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID5', drives: ids(3) }, gibDrives(3), volumes),
    );
    expect(a).toMatchObject({ extentBytes: 768 * MiB, capacityBytes: 1536 * MiB });
  });

  it('fills a drive pair volume by volume until nothing is left', () => {
    const drives = gibDrives(2);
    const first = allocated(
      'v1',
      planVolume({ raidType: 'RAID1', drives: ['d0', 'd1'], capacityBytes: 300 * MiB }, drives, []),
    );
    expect(first.extentBytes).toBe(300 * MiB);
    const secondPlan = planVolume({ raidType: 'RAID1', drives: ['d1', 'd0'] }, drives, [first]);
    expect(expectAllocation<VolumeAllocation>(secondPlan).capacityBytes).toBe(759_169_024); // 724 MiB
    const second = allocated('v2', secondPlan);
    expectProblem(planVolume({ raidType: 'RAID1', drives: ['d0', 'd1'] }, drives, [first, second]), {
      messageId: 'ResourceExhaustion',
      args: ['d0'],
      related: ['#/Links/Drives/0'],
    });
    expectProblem(planVolume({ raidType: 'RAID0', drives: ['d1'], capacityBytes: 1 }, drives, [first, second]), {
      messageId: 'PropertyValueOutOfRange',
      args: ['1', 'CapacityBytes'],
    });
  });

  it('names the fullest member when there is no room', () => {
    const volumes: AllocatedVolume[] = [
      { id: 'v1', raidType: 'RAID0', members: ['d2'], setSize: 1, extentBytes: GiB - 32 * KiB },
    ];
    // d2 keeps 32 KiB, less than one 64 KiB strip.
    expectProblem(planVolume({ raidType: 'RAID5', drives: ids(3) }, gibDrives(3), volumes), {
      messageId: 'ResourceExhaustion',
      args: ['d2'],
      related: ['#/Links/Drives/2'],
    });
    // A mirror allocates whole blocks, so the same 32 KiB still holds one.
    const mirror = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID1', drives: ['d1', 'd2'] }, gibDrives(3), volumes),
    );
    expect(mirror.capacityBytes).toBe(32 * KiB);
  });

  it('refuses an explicit size beyond the space the other volumes left', () => {
    const volumes: AllocatedVolume[] = [
      { id: 'v1', raidType: 'RAID10', members: ids(4), setSize: 2, extentBytes: 512 * MiB },
    ];
    const request: VolumeRequest = { raidType: 'RAID10', drives: ids(4) };
    expect(
      expectAllocation<VolumeAllocation>(planVolume({ ...request, capacityBytes: GiB }, gibDrives(4), volumes))
        .extentBytes,
    ).toBe(512 * MiB);
    expectProblem(planVolume({ ...request, capacityBytes: GiB + 512 }, gibDrives(4), volumes), {
      messageId: 'PropertyValueOutOfRange',
      args: [String(GiB + 512), 'CapacityBytes'],
    });
  });
});

describe('member drives', () => {
  const drives = [
    ...gibDrives(3),
    drive('ssd', GiB, { mediaType: 'SSD' }),
    drive('sata', GiB, { protocol: 'SATA' }),
    drive('nvme', GiB, { protocol: 'NVMe', mediaType: 'SSD' }),
    drive('4k', GiB, { blockSizeBytes: 4096 }),
    drive('failed', GiB, { health: 'Critical' }),
    drive('absent', GiB, { state: 'Absent' }),
    drive('predicting', GiB, { health: 'Warning' }),
  ];

  it('refuses a drive this storage does not have (unknown, or behind another controller)', () => {
    expectProblem(
      planVolume({ raidType: 'RAID1', drives: ['d0', '/redfish/v1/Systems/2/Storage/1/Drives/0'] }, drives, []),
      {
        messageId: 'ResourceNotFound',
        args: ['Drive', '/redfish/v1/Systems/2/Storage/1/Drives/0'],
        related: ['#/Links/Drives/1'],
      },
    );
  });

  it('refuses a drive listed twice, naming both entries', () => {
    expectProblem(planVolume({ raidType: 'RAID5', drives: ['d0', 'd1', 'd0'] }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['Links/Drives/2', 'Links/Drives/0'],
      related: ['#/Links/Drives/2', '#/Links/Drives/0'],
    });
  });

  it.each(['failed', 'absent', 'predicting'])('refuses a %s drive', (bad) => {
    expectProblem(planVolume({ raidType: 'RAID5', drives: ['d0', bad, 'd1'] }, drives, []), {
      messageId: 'PropertyValueResourceConflict',
      args: ['Links/Drives', bad, bad],
      related: ['#/Links/Drives/1'],
    });
  });

  it.each([
    ['HDD with SSD', 'ssd'],
    ['SAS with SATA', 'sata'],
    ['SAS HDD with NVMe SSD', 'nvme'],
    ['512-byte with 4 KiB blocks', '4k'],
  ])('refuses to mix %s', (_, other) => {
    expectProblem(planVolume({ raidType: 'RAID5', drives: ['d0', 'd1', other] }, drives, []), {
      messageId: 'PropertyValueResourceConflict',
      args: ['Links/Drives', other, 'd0'],
      related: ['#/Links/Drives/2'],
    });
  });

  it('builds on like drives of another kind', () => {
    const ssds = [
      drive('s0', GiB, { mediaType: 'SSD', protocol: 'NVMe' }),
      drive('s1', GiB, { mediaType: 'SSD', protocol: 'NVMe' }),
    ];
    expect(
      expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID1', drives: ['s0', 's1'] }, ssds, []))
        .capacityBytes,
    ).toBe(GiB);
  });
});

describe('requested level', () => {
  const drives = gibDrives(8);

  it.each(['RAID3', 'RAID01', 'RAID1E', 'raid5', ''])('refuses RAIDType %j', (raidType) => {
    expectProblem(planVolume({ raidType, drives: ids(4) }, drives, []), {
      messageId: 'PropertyValueNotInList',
      args: [raidType, 'RAIDType'],
      related: ['#/RAIDType'],
    });
  });

  it('refuses a level the controller is not configured for', () => {
    const options = { supportedRaidTypes: ['RAID0', 'RAID1', 'RAID5'] as const };
    expectProblem(planVolume({ raidType: 'RAID6', drives: ids(4) }, drives, [], options), {
      messageId: 'PropertyValueNotInList',
      args: ['RAID6', 'RAIDType'],
    });
    expectProblem(planVolume({ volumeType: 'SpannedMirrors', drives: ids(4) }, drives, [], options), {
      messageId: 'PropertyValueNotInList',
      args: ['SpannedMirrors', 'VolumeType'],
    });
    expect(
      expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID5', drives: ids(4) }, drives, [], options))
        .raidType,
    ).toBe('RAID5');
  });

  it('asks for a level when neither RAIDType nor VolumeType is sent', () => {
    expectProblem(planVolume({ drives: ids(2) }, drives, []), {
      messageId: 'CreateFailedMissingReqProperties',
      args: ['RAIDType'],
      related: ['#/RAIDType'],
    });
  });

  it('refuses an unknown VolumeType', () => {
    expectProblem(planVolume({ volumeType: 'Striped', drives: ids(2) }, drives, []), {
      messageId: 'PropertyValueNotInList',
      args: ['Striped', 'VolumeType'],
      related: ['#/VolumeType'],
    });
  });

  it('refuses a VolumeType that contradicts the RAIDType', () => {
    expectProblem(planVolume({ raidType: 'RAID6', volumeType: 'Mirrored', drives: ids(4) }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['VolumeType', 'RAIDType'],
      related: ['#/VolumeType', '#/RAIDType'],
    });
  });

  it("takes Ironic's payload, which sends both and agrees", () => {
    const a = expectAllocation<VolumeAllocation>(
      planVolume(
        { raidType: 'RAID6', volumeType: 'StripedWithParity', drives: ids(4), capacityBytes: GiB },
        drives,
        [],
      ),
    );
    expect(a).toMatchObject({ raidType: 'RAID6', volumeType: 'StripedWithParity', extentBytes: 512 * MiB });
  });

  it.each([
    ['RawDevice', 1, 'None', GiB],
    ['NonRedundant', 3, 'RAID0', 3 * GiB],
    ['Mirrored', 2, 'RAID1', GiB],
    ['Mirrored', 3, 'RAID1Triple', GiB],
    ['StripedWithParity', 4, 'RAID5', 3 * GiB],
    ['SpannedMirrors', 4, 'RAID10', 2 * GiB],
    ['SpannedStripesWithParity', 6, 'RAID50', 4 * GiB],
  ])('builds VolumeType %s over %i drives as %s', (volumeType, count, raidType, capacityBytes) => {
    const a = expectAllocation<VolumeAllocation>(planVolume({ volumeType, drives: ids(count) }, drives, []));
    expect(a).toMatchObject({ raidType, volumeType, capacityBytes });
  });

  it('names VolumeType in count refusals when it was all the client sent', () => {
    expectProblem(planVolume({ volumeType: 'SpannedMirrors', drives: ids(5) }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['Links/Drives', 'VolumeType'],
      related: ['#/Links/Drives', '#/VolumeType'],
    });
    expectProblem(planVolume({ volumeType: 'Mirrored', drives: ids(4) }, drives, []), {
      messageId: 'ArraySizeTooLong',
      args: ['Links/Drives', '2'],
    });
  });

  it('reports the VolumeType of a level sent alone', () => {
    const a = expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID60', drives: ids(8) }, drives, []));
    expect(a.volumeType).toBe('SpannedStripesWithParity');
  });
});

describe('numbers in the request', () => {
  const drives = gibDrives(12);

  it.each([
    [0, 'PropertyValueOutOfRange', '0'],
    [-5, 'PropertyValueOutOfRange', '-5'],
    [2 ** 53, 'PropertyValueOutOfRange', '9007199254740992'],
    [1.5, 'PropertyValueFormatError', '1.5'],
    [Number.NaN, 'PropertyValueTypeError', 'NaN'],
  ])('refuses CapacityBytes %s', (capacityBytes, messageId, text) => {
    expectProblem(planVolume({ raidType: 'RAID0', drives: ids(1), capacityBytes }, drives, []), {
      messageId,
      args: [text, 'CapacityBytes'],
      related: ['#/CapacityBytes'],
    });
  });

  it('refuses a CapacityBytes that is not a number at all', () => {
    const request = { raidType: 'RAID0', drives: ids(1), capacityBytes: '100' } as unknown as VolumeRequest;
    expectProblem(planVolume(request, drives, []), {
      messageId: 'PropertyValueTypeError',
      args: ['100', 'CapacityBytes'],
    });
  });

  it.each([65_535, 4 * KiB, 2 * MiB])('refuses StripSizeBytes %i', (stripSizeBytes) => {
    expectProblem(planVolume({ raidType: 'RAID0', drives: ids(2), stripSizeBytes }, drives, []), {
      messageId: 'PropertyValueNotInList',
      args: [String(stripSizeBytes), 'StripSizeBytes'],
      related: ['#/StripSizeBytes'],
    });
  });

  it('refuses a strip size for a level that does not stripe', () => {
    expectProblem(planVolume({ raidType: 'RAID1', drives: ids(2), stripSizeBytes: 64 * KiB }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['StripSizeBytes', 'RAIDType'],
    });
    expectProblem(planVolume({ volumeType: 'RawDevice', drives: ids(1), stripSizeBytes: 64 * KiB }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['StripSizeBytes', 'VolumeType'],
    });
  });

  it('refuses a strip that is not a whole number of blocks', () => {
    const odd = [drive('a', GiB, { blockSizeBytes: 3072 }), drive('b', GiB, { blockSizeBytes: 3072 })];
    expectProblem(planVolume({ raidType: 'RAID0', drives: ['a', 'b'], stripSizeBytes: 8 * KiB }, odd, []), {
      messageId: 'PropertyValueResourceConflict',
      args: ['StripSizeBytes', String(8 * KiB), 'a'],
    });
  });

  it('lets MediaSpanCount choose the spans of RAID50', () => {
    // 12 drives: spans of 4 → 3 × 3 data; spans of 6 → 2 × 5 data; default is the fewest spans (2 of 6).
    const byFour = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID50', drives: ids(12), mediaSpanCount: 4 }, drives, []),
    );
    expect(byFour).toMatchObject({ setSize: 4, capacityBytes: 9 * GiB });
    const bySix = expectAllocation<VolumeAllocation>(
      planVolume({ raidType: 'RAID50', drives: ids(12), mediaSpanCount: 6 }, drives, []),
    );
    expect(bySix).toMatchObject({ setSize: 6, capacityBytes: 10 * GiB });
    expect(
      expectAllocation<VolumeAllocation>(planVolume({ raidType: 'RAID50', drives: ids(12) }, drives, [])).setSize,
    ).toBe(6);
  });

  it('refuses spans too small for the level', () => {
    expectProblem(planVolume({ raidType: 'RAID50', drives: ids(12), mediaSpanCount: 2 }, drives, []), {
      messageId: 'PropertyValueOutOfRange',
      args: ['2', 'MediaSpanCount'],
      related: ['#/MediaSpanCount'],
    });
    expectProblem(planVolume({ raidType: 'RAID60', drives: ids(12), mediaSpanCount: 3 }, drives, []), {
      messageId: 'PropertyValueOutOfRange',
      args: ['3', 'MediaSpanCount'],
    });
  });

  it('refuses spans that do not divide the members into two or more', () => {
    for (const mediaSpanCount of [5, 12]) {
      expectProblem(planVolume({ raidType: 'RAID50', drives: ids(12), mediaSpanCount }, drives, []), {
        messageId: 'PropertyValueConflict',
        args: ['Links/Drives', 'MediaSpanCount'],
        related: ['#/Links/Drives', '#/MediaSpanCount'],
      });
    }
  });

  it('accepts only the implied span for mirrored stripes and none for single-set levels', () => {
    expect(
      expectAllocation<VolumeAllocation>(
        planVolume({ raidType: 'RAID10', drives: ids(4), mediaSpanCount: 2 }, drives, []),
      ).setSize,
    ).toBe(2);
    expectProblem(planVolume({ raidType: 'RAID10', drives: ids(4), mediaSpanCount: 4 }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['MediaSpanCount', 'RAIDType'],
    });
    expectProblem(planVolume({ raidType: 'RAID5', drives: ids(4), mediaSpanCount: 4 }, drives, []), {
      messageId: 'PropertyValueConflict',
      args: ['MediaSpanCount', 'RAIDType'],
    });
  });
});
