/**
 * The writable properties (by DMTF's CSDL) the emulator keeps, per resource type: a PATCH of one
 * of these is a command to the resource's aggregate, an event, and the next GET shows it. A
 * member of a complex property is named by its path (`Boot/BootSourceOverrideTarget`). What the
 * schema makes writable and is not listed here is refused by the body reader (patch-body.ts);
 * a type not listed takes no PATCH at all (405).
 */
export const CLAIMED_PROPERTIES = {
  ComputerSystem: [
    'AssetTag',
    'IndicatorLED',
    'LocationIndicatorActive',
    'Boot/BootSourceOverrideTarget',
    'Boot/BootSourceOverrideEnabled',
    'Boot/BootSourceOverrideMode',
    'Boot/HttpBootUri',
  ],
  /** The machine's one locator light, as on its ComputerSystem. */
  Chassis: ['LocationIndicatorActive'],
  SecureBoot: ['SecureBootEnable'],
  /** Bios/Settings: the settings object, applied at the next boot. */
  Bios: ['Attributes'],
  /** Image and Inserted as sushy writes them to a BMC without the actions; the rest go with Image. */
  VirtualMedia: [
    'VerifyCertificate',
    'Image',
    'Inserted',
    'WriteProtected',
    'TransferProtocolType',
    'UserName',
    'Password',
    'TransferMethod',
  ],
  SessionService: ['SessionTimeout'],
  AccountService: ['AccountLockoutThreshold', 'AccountLockoutDuration', 'AccountLockoutCounterResetAfter'],
  ManagerAccount: ['UserName', 'Password', 'RoleId', 'Enabled', 'Locked', 'AccountTypes'],
  EventService: ['DeliveryRetryAttempts', 'DeliveryRetryIntervalSeconds'],
  /** Context, carried by each Event delivered after the change. */
  EventDestination: ['Context'],
  Volume: ['DisplayName'],
  Drive: ['LocationIndicatorActive'],
} as const satisfies Record<string, readonly string[]>;
