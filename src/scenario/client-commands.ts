import type { Decider } from '../domain/decider.js';
import { systemDecider, type SystemCommand } from '../domain/system/system-decider.js';
import { storageDecider, type StorageCommand } from '../domain/storage/storage-decider.js';
import { eventServiceDecider, type EventServiceCommand } from '../domain/event-service/event-service-decider.js';
import { EVENT_SERVICE_STREAM } from '../domain/event-service/event-service-events.js';
import { certificateDecider, type CertificateCommand } from '../domain/certificates/certificate-decider.js';
import { CERTIFICATE_SERVICE_STREAM } from '../domain/certificates/certificate-events.js';
import { isStorageStream, isSystemStream } from '../domain/stream-ids.js';
import { accountDecider, type AccountCommand } from '../domain/accounts/account-decider.js';
import { ACCOUNT_SERVICE_STREAM } from '../domain/accounts/account-events.js';
import { mockupDecider, type MockupCommand } from '../mockup/mockup-decider.js';
import { MOCKUP_STREAM } from '../mockup/mockup-events.js';

/** An aggregate clients send commands to: how it decides, and which of its commands are theirs. */
export interface ClientAggregate {
  readonly decider: Decider<{ type: string }, { type: string; data: unknown }, unknown>;
  readonly commands: ReadonlySet<string>;
}

// Each list is checked against its aggregate's command type: a command added there must be
// placed here, as a client's or as the emulator's own.
const SYSTEM = {
  ResetSystem: true,
  PatchSystem: true,
  InsertMedia: true,
  EjectMedia: true,
  SetBiosSettings: true,
  ResetBios: true,
  SetSecureBoot: true,
  RequestFirmwareUpdate: true,
  SetMediaVerification: true,
  AddMediaCertificate: true,
  RemoveMediaCertificate: true,
  ReplaceMediaCertificate: true,
  RegisterSystem: false,
  RegisterFirmware: false,
  RecordFirmwareImage: false,
  ObserveDomain: false,
  ObservePowerState: false,
  ObserveDomainMissing: false,
  RecordDomainClaim: false,
  ObserveDomainOwnedElsewhere: false,
  ObserveHostUnreachable: false,
  ObserveHostReachable: false,
  RecordResetOutcome: false,
  RecordMediaOutcome: false,
  RecordMediaProgress: false,
} satisfies Record<SystemCommand['type'], boolean>;
const STORAGE = {
  CreateVolume: true,
  DeleteVolume: true,
  InitializeVolume: true,
  RenameVolume: true,
  FailDrive: true,
  ReplaceDrive: true,
  SetDriveLocator: true,
  CancelOperation: true,
  RegisterStorage: false,
  StartPendingOperations: false,
  RecordOperationOutcome: false,
  RecordRebuildProgress: false,
  ObserveBacking: false,
} satisfies Record<StorageCommand['type'], boolean>;
const EVENT_SERVICE = {
  CreateSubscription: true,
  DeleteSubscription: true,
  SuspendSubscription: true,
  ResumeSubscription: true,
  ChangeEventService: true,
  ChangeSubscriptionContext: true,
  TerminateSubscription: false,
} satisfies Record<EventServiceCommand['type'], boolean>;

const CERTIFICATE_SERVICE = { ReplaceHttpsCertificate: true, FindHttpsCertificate: false } satisfies Record<
  CertificateCommand['type'],
  boolean
>;

// Replayed without their passwords, which are never recorded: a replayed account exists with its
// role and state, and logs in once an Administrator of the replay sets its password.
const ACCOUNT_SERVICE = {
  CreateAccount: true,
  ChangeAccount: true,
  DeleteAccount: true,
  ChangeAccountLockout: true,
  ChangeSessionTimeout: true,
  ConfigureAccounts: false,
} satisfies Record<AccountCommand['type'], boolean>;
const MOCKUP = {
  PatchMockupResource: true,
  CreateMockupMember: true,
  DeleteMockupResource: true,
  PerformMockupAction: true,
  ImportMockup: false,
} satisfies Record<MockupCommand['type'], boolean>;

const clientsOf = (commands: Record<string, boolean>) =>
  new Set(Object.keys(commands).filter((type) => commands[type]));

const aggregate = (decider: unknown, commands: Record<string, boolean>): ClientAggregate => ({
  decider: decider as ClientAggregate['decider'],
  commands: clientsOf(commands),
});
const SYSTEMS = aggregate(systemDecider, SYSTEM);
const STORAGES = aggregate(storageDecider, STORAGE);
const EVENTS = aggregate(eventServiceDecider, EVENT_SERVICE);
const CERTIFICATES = aggregate(certificateDecider, CERTIFICATE_SERVICE);
const ACCOUNTS = aggregate(accountDecider, ACCOUNT_SERVICE);
const MOCKUPS = aggregate(mockupDecider, MOCKUP);

/** Every command a client can send, whatever its aggregate. */
export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([
  ...SYSTEMS.commands,
  ...STORAGES.commands,
  ...EVENTS.commands,
  ...CERTIFICATES.commands,
  ...ACCOUNTS.commands,
  ...MOCKUPS.commands,
]);

/** The aggregate whose stream this is, if clients send commands to it. */
export function clientAggregateOf(streamId: string): ClientAggregate | undefined {
  if (streamId === EVENT_SERVICE_STREAM) return EVENTS;
  if (streamId === CERTIFICATE_SERVICE_STREAM) return CERTIFICATES;
  if (streamId === MOCKUP_STREAM) return MOCKUPS;
  if (streamId === ACCOUNT_SERVICE_STREAM) return ACCOUNTS;
  if (isSystemStream(streamId)) return SYSTEMS;
  if (isStorageStream(streamId)) return STORAGES;
  return undefined;
}
