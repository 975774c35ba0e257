/** Numbers of libvirt's RPC protocol (libvirt 9.0 headers and remote_protocol.x). */

export const REMOTE_PROGRAM = 0x20008086;
export const KEEPALIVE_PROGRAM = 0x6b656570;
export const PROTOCOL_VERSION = 1;

export const MessageType = { Call: 0, Reply: 1, Message: 2, Stream: 3 } as const;
export const MessageStatus = { Ok: 0, Error: 1, Continue: 2 } as const;

export const KeepaliveProcedure = { Ping: 1, Pong: 2 } as const;

/** REMOTE program procedure numbers used here. */
export const Procedure = {
  ConnectOpen: 1,
  ConnectClose: 2,
  ConnectGetVersion: 4,
  NodeGetInfo: 6,
  DomainCreate: 9,
  DomainDestroy: 12,
  DomainGetXmlDesc: 14,
  DomainGetInfo: 16,
  DomainLookupByName: 23,
  DomainLookupByUuid: 24,
  DomainReboot: 27,
  DomainResume: 28,
  DomainSetAutostart: 29,
  DomainShutdown: 33,
  DomainSuspend: 34,
  ConnectGetHostname: 59,
  ConnectSupportsFeature: 60,
  AuthList: 66,
  AuthPolkit: 70,
  StoragePoolDefineXml: 77,
  StoragePoolCreate: 78,
  StoragePoolBuild: 79,
  StoragePoolDestroy: 80,
  StoragePoolDelete: 81,
  StoragePoolUndefine: 82,
  StoragePoolRefresh: 83,
  StoragePoolLookupByName: 84,
  StoragePoolLookupByUuid: 85,
  StoragePoolLookupByVolume: 86,
  StoragePoolGetInfo: 87,
  StoragePoolGetXmlDesc: 88,
  StoragePoolSetAutostart: 90,
  StorageVolCreateXml: 93,
  StorageVolDelete: 94,
  StorageVolLookupByName: 95,
  StorageVolLookupByKey: 96,
  StorageVolLookupByPath: 97,
  StorageVolGetInfo: 98,
  StorageVolGetXmlDesc: 99,
  StorageVolGetPath: 100,
  DomainIsActive: 150,
  ConnectGetLibVersion: 157,
  DomainAttachDeviceFlags: 160,
  DomainDetachDeviceFlags: 161,
  DomainUpdateDeviceFlags: 174,
  DomainCreateWithFlags: 196,
  DomainInjectNmi: 210,
  DomainGetState: 212,
  DomainUndefineFlags: 231,
  DomainDestroyFlags: 234,
  DomainReset: 245,
  DomainShutdownFlags: 258,
  StorageVolResize: 260,
  ConnectListAllDomains: 273,
  ConnectListAllStoragePools: 281,
  StoragePoolListAllVolumes: 282,
  ConnectDomainEventCallbackRegisterAny: 316,
  ConnectDomainEventCallbackDeregisterAny: 317,
  DomainEventCallbackLifecycle: 318,
  DomainEventCallbackReboot: 319,
  DomainDefineXmlFlags: 350,
} as const;

/** REMOTE procedure number → libvirt's own name for it (`DomainGetXmlDesc` → `DOMAIN_GET_XML_DESC`), for messages. */
const PROCEDURE_NAMES = new Map<number, string>(
  Object.entries(Procedure).map(([key, value]) => [value, key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()]),
);

/** The key of `table` whose value is `value`, or 'Unknown'. */
export const nameOf = <T extends Record<string, number>>(table: T, value: number) =>
  (Object.keys(table).find((k) => table[k] === value) ?? 'Unknown') as keyof T | 'Unknown';

export function procedureName(procedure: number): string {
  return PROCEDURE_NAMES.get(procedure) ?? `PROCEDURE_${procedure}`;
}

/** Limits from remote_protocol.x. */
export const Limits = {
  string: 4 * 1024 * 1024,
  /** Largest frame libvirt 9+ sends or accepts. */
  frame: 32 * 1024 * 1024,
  frameHeader: 28,
  listItems: 16384,
  authTypes: 20,
  uuidBytes: 16,
  nodeModelChars: 32,
} as const;

export const AuthType = { None: 0, Sasl: 1, Polkit: 2 } as const;
export const ConnectFlag = { ReadOnly: 1 } as const;
/** VIR_DRV_FEATURE_PROGRAM_KEEPALIVE */
export const FEATURE_PROGRAM_KEEPALIVE = 10;

export const DomainState = {
  NoState: 0,
  Running: 1,
  Blocked: 2,
  Paused: 3,
  Shutdown: 4,
  Shutoff: 5,
  Crashed: 6,
  PmSuspended: 7,
} as const;
export type DomainStateName = keyof typeof DomainState;
/** virDomainPausedReason, the reasons libvirt gives for a Paused domain that matter here. */
export const DomainPausedReason = { StartingUp: 11 } as const;

export const DomainXmlFlag = { Secure: 1, Inactive: 2, UpdateCpu: 4, Migratable: 8 } as const;
export const DeviceModifyFlag = { Current: 0, Live: 1, Config: 2, Force: 4 } as const;
export const DomainUndefineFlag = {
  ManagedSave: 1,
  SnapshotsMetadata: 2,
  Nvram: 4,
  KeepNvram: 8,
  CheckpointsMetadata: 16,
} as const;
export const DomainCreateFlag = { Paused: 1, Autodestroy: 2, BypassCache: 4, ForceBoot: 8 } as const;
export const DomainShutdownFlag = { Default: 0, AcpiPowerButton: 1, GuestAgent: 2 } as const;

export const StoragePoolState = { Inactive: 0, Building: 1, Running: 2, Degraded: 3, Inaccessible: 4 } as const;
export const StoragePoolListFlag = { Inactive: 1, Active: 2 } as const;
export const StorageVolType = { File: 0, Block: 1, Dir: 2, Network: 3, NetDir: 4, Ploop: 5 } as const;
export const StorageVolCreateFlag = { PreallocMetadata: 1 } as const;
export const StorageVolResizeFlag = { Allocate: 1, Delta: 2, Shrink: 4 } as const;
export const StoragePoolBuildFlag = { New: 0, Repair: 1, Resize: 2, NoOverwrite: 4, Overwrite: 8 } as const;
export const StoragePoolDeleteFlag = { Normal: 0, Zeroed: 1 } as const;

export const DomainEventId = { Lifecycle: 0, Reboot: 1 } as const;

/** virDomainEventType: the `event` of a lifecycle event. */
export const LifecycleEvent = {
  Defined: 0,
  Undefined: 1,
  Started: 2,
  Suspended: 3,
  Resumed: 4,
  Stopped: 5,
  Shutdown: 6,
  PmSuspended: 7,
  Crashed: 8,
} as const;
export type LifecycleEventName = keyof typeof LifecycleEvent;

/** virErrorNumber values the emulator tells apart. */
export const ErrorCode = {
  InternalError: 1,
  NoSupport: 3,
  InvalidArg: 8,
  OperationFailed: 9,
  XmlError: 27,
  /** Malformed XML (not well-formed). */
  XmlDetail: 35,
  DomainExists: 28,
  SystemError: 38,
  Rpc: 39,
  NoDomain: 42,
  NoStoragePool: 49,
  NoStorageVolume: 50,
  OperationInvalid: 55,
  StorageVolumeExists: 90,
} as const;
