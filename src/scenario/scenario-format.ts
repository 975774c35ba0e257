import type { EmulatorConfig } from '../config/config.js';
import type { StorageRegistered } from '../domain/storage/storage-events.js';
import type { RecordedCommand } from '../eventstore/event.js';
import { labSystems } from '../lab/lab-systems.js';
import { rebuildSecondsOf, storageRegistration } from '../lab/lab-storage.js';

export const SCENARIO_FORMAT = 'redfish-emulator-scenario';
export const SCENARIO_FORMAT_VERSION = 1;

/**
 * What a scenario needs of the lab it runs on: the systems a client talked to and the storage
 * they have, as the emulator fills in their defaults. Where libvirt keeps them (URIs, domain and
 * pool names) is left out: a replay runs on a sandbox of its own.
 */
export interface LabShape {
  readonly systems: readonly {
    readonly id: string;
    readonly name: string;
    readonly vcpus: number;
    readonly memoryMiB: number;
    readonly firmware: 'BIOS' | 'UEFI';
    /** Only when it has one: a scenario of a lab without root disks reads as it always did. */
    readonly rootDiskGiB?: number;
    readonly storage: readonly StorageRegistered['data'][];
  }[];
  readonly rebuildSeconds: number;
}

/** The first line of a scenario file. */
export interface ScenarioHeader {
  readonly format: typeof SCENARIO_FORMAT;
  readonly formatVersion: number;
  /** The store schema of the log it was exported from: a build with an older one cannot read it. */
  readonly schemaVersion: number;
  readonly emulatorVersion: string;
  readonly exportedAt: string;
  readonly lab: LabShape;
  /** The stretch of the log the scenario is; its steps before `fromPosition` bring a fresh lab there. */
  readonly range: {
    readonly fromPosition: number;
    readonly toPosition: number;
    readonly actor?: string;
    readonly fromMark?: string;
    readonly toMark?: string;
  };
  readonly steps: number;
  readonly outcomes: number;
  readonly views: number;
  /** sha256 (hex) of the rest of the header and every line after it (scenario-digest.ts): an edited file shows. */
  readonly digest: string;
}

/**
 * One thing a client did: the command it sent (a Redfish request, a fault injection), who sent
 * it, and the types of the events it caused.
 */
export interface ScenarioStep {
  readonly kind: 'step';
  readonly position: number;
  readonly recordedAt: string;
  readonly streamId: string;
  readonly actor: string;
  readonly requestId?: string;
  readonly command: RecordedCommand;
  readonly events: readonly string[];
  /** The service refused the command (events is then empty): a replay expects the same status and MessageIds. */
  readonly refused?: StepRefusal;
  /** Before the range: replayed as fast as possible to bring the fresh lab to where the range starts. */
  readonly setup?: true;
}

/** How a refused step was answered. */
export interface StepRefusal {
  readonly status: number;
  readonly messageIds: readonly string[];
}

/**
 * What the lab recorded on its own account (a reset carried out, a power change seen, a
 * subscription's delivery given up): a replay on a sandbox lab waits for its own lab to record
 * the same; one without libvirt records it as it was.
 */
export interface ScenarioOutcome {
  readonly kind: 'outcome';
  readonly position: number;
  readonly recordedAt: string;
  readonly streamId: string;
  readonly actor: string;
  readonly requestId?: string;
  readonly causationId?: number;
  readonly type: string;
  readonly data: unknown;
  readonly setup?: true;
}

/** A Redfish resource as GET returned it at the end of the range. */
export interface ScenarioView {
  readonly kind: 'view';
  readonly resource: string;
  readonly body: unknown;
}

export type ScenarioLine = ScenarioStep | ScenarioOutcome | ScenarioView;

/** The lab a config describes, as a scenario names it. */
export function labShapeOf(config: EmulatorConfig): LabShape {
  return {
    systems: labSystems(config).map((system) => ({
      id: system.id,
      name: system.name,
      vcpus: system.vcpus,
      memoryMiB: system.memoryMiB,
      firmware: system.firmware,
      ...(system.rootDiskGiB > 0 && { rootDiskGiB: system.rootDiskGiB }),
      storage: (system.config.storage ?? []).map((storage) => storageRegistration(system, storage)),
    })),
    rebuildSeconds: rebuildSecondsOf(config),
  };
}

/**
 * Whether a resource is compared between the recording and a replay: every Redfish resource but
 * the History log's entries, which are numbered by log position (a replay's log interleaves the
 * lab's observations differently), the service's certificate, and the projections' own bookkeeping (`#…`).
 */
export function isComparedView(resource: string): boolean {
  return (
    resource.startsWith('/redfish/') &&
    !/\/LogServices\/History\/Entries\/\d+$/.test(resource) &&
    !SERVICE_CERTIFICATE.test(resource)
  );
}

/** The service's own TLS certificate, made afresh by each run (or absent where a replay serves no HTTPS), as UUIDs are. */
const SERVICE_CERTIFICATE = /^\/redfish\/v1\/(CertificateService(\/.*)?|Managers\/[^/]+\/NetworkProtocol(\/.*)?)$/;
