import type { SystemEvent } from './system/system-events.js';
import type { StorageEvent } from './storage/storage-events.js';
import type { EventServiceEvent } from './event-service/event-service-events.js';
import type { ServiceEvent } from './service/service-events.js';
import type { MarkPlaced } from './marks/marks-decider.js';
import type { RefusalEvent } from './refusals/refusal-events.js';
import type { MockupEvent } from '../mockup/mockup-events.js';
import type { AccountEvent } from './accounts/account-events.js';
import type { NotificationEvent } from '../notifications/notification-events.js';

type EventType =
  | SystemEvent['type']
  | StorageEvent['type']
  | EventServiceEvent['type']
  | ServiceEvent['type']
  | MarkPlaced['type']
  | RefusalEvent['type']
  | AccountEvent['type']
  | NotificationEvent['type']
  | MockupEvent['type'];

/**
 * Every event type this build records. A record keyed by the union, so the compiler refuses a
 * type missing here or one that no aggregate has.
 */
const EVENT_TYPE_KEYS: Record<EventType, true> = {
  ServiceCreated: true,
  MarkPlaced: true,
  SystemRegistered: true,
  DomainObserved: true,
  PowerStateObserved: true,
  DomainMissingObserved: true,
  DomainClaimed: true,
  DomainOwnedElsewhere: true,
  HostUnreachableObserved: true,
  HostReachableObserved: true,
  SystemBooted: true,
  ResetRequested: true,
  ResetApplied: true,
  ResetFailed: true,
  BootOverrideChanged: true,
  BootOverrideConsumed: true,
  BootModeChanged: true,
  SecureBootChanged: true,
  SecureBootApplied: true,
  IndicatorChanged: true,
  AssetTagChanged: true,
  BiosSettingsRequested: true,
  BiosSettingsApplied: true,
  BiosReset: true,
  FirmwareRegistered: true,
  FirmwareUpdateRequested: true,
  FirmwareImageStaged: true,
  FirmwareUpdateFailed: true,
  FirmwareUpdateApplied: true,
  VirtualMediaInsertRequested: true,
  VirtualMediaInserted: true,
  VirtualMediaInsertFailed: true,
  VirtualMediaDownloadProgressed: true,
  VirtualMediaEjectRequested: true,
  VirtualMediaEjected: true,
  VirtualMediaVerificationChanged: true,
  VirtualMediaCertificateAdded: true,
  VirtualMediaCertificateRemoved: true,
  VirtualMediaCertificateReplaced: true,
  StorageRegistered: true,
  VolumeCreateRequested: true,
  VolumeDeleteRequested: true,
  VolumeOperationCancelled: true,
  VolumeInitializeRequested: true,
  PendingOperationsStarted: true,
  VolumeOperationCompleted: true,
  VolumeOperationFailed: true,
  VolumeRenamed: true,
  DriveFailed: true,
  DriveReplaced: true,
  VolumeRebuildProgressed: true,
  VolumeBackingLost: true,
  VolumeBackingRestored: true,
  SubscriptionCreated: true,
  SubscriptionDeleted: true,
  SubscriptionTerminated: true,
  SubscriptionSuspended: true,
  SubscriptionResumed: true,
  EventServiceSettingsChanged: true,
  RequestRefused: true,
  RequestRefusalsDropped: true,
  AccountServiceConfigured: true,
  AccountCreated: true,
  AccountChanged: true,
  AccountPasswordChanged: true,
  AccountUnlocked: true,
  AccountDeleted: true,
  AccountLockoutChanged: true,
  NotificationDelivered: true,
  NotificationAttemptFailed: true,
  NotificationAbandoned: true,
  DriveLocatorChanged: true,
  SubscriptionContextChanged: true,
  SessionTimeoutChanged: true,
  MockupResourceImported: true,
  MockupResourcePatched: true,
  MockupResourceCreated: true,
  MockupResourceDeleted: true,
  MockupActionPerformed: true,
};

/** The event types of this build, sorted. */
export const EVENT_TYPES: readonly string[] = Object.keys(EVENT_TYPE_KEYS).sort();
