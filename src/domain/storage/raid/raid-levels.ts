/**
 * The RAID levels this emulated controller can build, as facts: how members form redundancy
 * sets, what protects each set, and how many members a volume may have. Everything else
 * (capacity, fault tolerance, the deprecated VolumeType) is derived from this table.
 *
 * Levels of the DMTF RAIDType enum left out on purpose: RAID3/RAID4 (dedicated parity disks,
 * which current controllers no longer offer), RAID01, RAID1E, RAID10E, RAID00 and RAID6TP
 * (layouts that vary between vendors, so any fault-tolerance answer would be a guess).
 */
export const SUPPORTED_RAID_TYPES = [
  'None',
  'RAID0',
  'RAID1',
  'RAID1Triple',
  'RAID5',
  'RAID6',
  'RAID10',
  'RAID10Triple',
  'RAID50',
  'RAID60',
] as const;

export type SupportedRaidType = (typeof SUPPORTED_RAID_TYPES)[number];

/** How a volume's members, in the order given, are cut into redundancy sets. */
export type MemberGrouping =
  /** All members form one set. */
  | { readonly kind: 'single' }
  /** A stripe over consecutive sets of exactly `size` members (mirror pairs, mirror triples). */
  | { readonly kind: 'fixed'; readonly size: number }
  /** A stripe over two or more equal consecutive spans of at least `minSpanSize` members. */
  | { readonly kind: 'spans'; readonly minSpanSize: number };

/** What keeps one set's data when members fail. */
export type SetRedundancy =
  | { readonly kind: 'none' }
  /** Every member of the set holds the same data: it survives all but one member failing. */
  | { readonly kind: 'mirror' }
  /** `parityMembers` members' worth of parity per stripe: it survives that many failures. */
  | { readonly kind: 'parity'; readonly parityMembers: number };

export interface RaidLevelRule {
  readonly raidType: SupportedRaidType;
  readonly grouping: MemberGrouping;
  readonly redundancy: SetRedundancy;
  readonly minMembers: number;
  /** undefined: no upper limit beyond what the shape demands. */
  readonly maxMembers: number | undefined;
  /**
   * Striped levels place data in strips, so each member's extent is a whole number of strips;
   * plain mirrors and raw devices are allocated in whole blocks.
   */
  readonly striped: boolean;
}

const SINGLE: MemberGrouping = { kind: 'single' };
const NO_REDUNDANCY: SetRedundancy = { kind: 'none' };
const MIRROR: SetRedundancy = { kind: 'mirror' };

/**
 * RAID1 is exactly two members and RAID1Triple exactly three, as on LSI/Broadcom and Dell PERC
 * controllers (and as Ironic's redfish RAID interface assumes): a wider mirror is asked for as
 * RAID1Triple or as RAID10. RAID0 accepts a single member, which controllers use to expose one
 * drive as a logical disk. RAID50/RAID60 need two spans of three (RAID5) or four (RAID6).
 */
export const RAID_LEVELS: Readonly<Record<SupportedRaidType, RaidLevelRule>> = {
  None: { raidType: 'None', grouping: SINGLE, redundancy: NO_REDUNDANCY, minMembers: 1, maxMembers: 1, striped: false },
  RAID0: {
    raidType: 'RAID0',
    grouping: SINGLE,
    redundancy: NO_REDUNDANCY,
    minMembers: 1,
    maxMembers: undefined,
    striped: true,
  },
  RAID1: { raidType: 'RAID1', grouping: SINGLE, redundancy: MIRROR, minMembers: 2, maxMembers: 2, striped: false },
  RAID1Triple: {
    raidType: 'RAID1Triple',
    grouping: SINGLE,
    redundancy: MIRROR,
    minMembers: 3,
    maxMembers: 3,
    striped: false,
  },
  RAID5: {
    raidType: 'RAID5',
    grouping: SINGLE,
    redundancy: { kind: 'parity', parityMembers: 1 },
    minMembers: 3,
    maxMembers: undefined,
    striped: true,
  },
  RAID6: {
    raidType: 'RAID6',
    grouping: SINGLE,
    redundancy: { kind: 'parity', parityMembers: 2 },
    minMembers: 4,
    maxMembers: undefined,
    striped: true,
  },
  RAID10: {
    raidType: 'RAID10',
    grouping: { kind: 'fixed', size: 2 },
    redundancy: MIRROR,
    minMembers: 4,
    maxMembers: undefined,
    striped: true,
  },
  RAID10Triple: {
    raidType: 'RAID10Triple',
    grouping: { kind: 'fixed', size: 3 },
    redundancy: MIRROR,
    minMembers: 6,
    maxMembers: undefined,
    striped: true,
  },
  RAID50: {
    raidType: 'RAID50',
    grouping: { kind: 'spans', minSpanSize: 3 },
    redundancy: { kind: 'parity', parityMembers: 1 },
    minMembers: 6,
    maxMembers: undefined,
    striped: true,
  },
  RAID60: {
    raidType: 'RAID60',
    grouping: { kind: 'spans', minSpanSize: 4 },
    redundancy: { kind: 'parity', parityMembers: 2 },
    minMembers: 8,
    maxMembers: undefined,
    striped: true,
  },
};

export function isSupportedRaidType(value: string): value is SupportedRaidType {
  return (SUPPORTED_RAID_TYPES as readonly string[]).includes(value);
}

/** Whether the level stripes over several redundancy sets (so MediaSpanCount means something). */
export function isSpanned(raidType: SupportedRaidType): boolean {
  return RAID_LEVELS[raidType].grouping.kind !== 'single';
}

/** How many members of one set may fail before the set, and so the volume, loses data. */
export function failuresSurvivedPerSet(raidType: SupportedRaidType, setSize: number): number {
  const redundancy = RAID_LEVELS[raidType].redundancy;
  if (redundancy.kind === 'mirror') return setSize - 1;
  if (redundancy.kind === 'parity') return redundancy.parityMembers;
  return 0;
}

/** How many members' worth of one set's extents hold data rather than copies or parity. */
export function dataMembersPerSet(raidType: SupportedRaidType, setSize: number): number {
  const redundancy = RAID_LEVELS[raidType].redundancy;
  if (redundancy.kind === 'mirror') return 1;
  if (redundancy.kind === 'parity') return setSize - redundancy.parityMembers;
  return setSize;
}
