import { problem, type RedfishProblem } from '../problem.js';
import type {
  FirmwareComponent,
  FirmwareEvent,
  FirmwareFailureReason,
  FirmwareUpdateRequested,
} from './firmware-events.js';

/** The config's firmware of a system (ServiceCreated-like: recorded at start when it changed). */
export type RegisterFirmware = { readonly type: 'RegisterFirmware'; readonly components: readonly FirmwareComponent[] };
/** UpdateService.SimpleUpdate, its parameters checked and its targets resolved to component ids. */
export type RequestFirmwareUpdate = { readonly type: 'RequestFirmwareUpdate' } & FirmwareUpdateRequested['data'];
/** What fetching the image came to: staged with its version, or failed with the reason. */
export type RecordFirmwareImage =
  | {
      readonly type: 'RecordFirmwareImage';
      readonly taskId: string;
      readonly version: string;
      readonly sha256: string;
      readonly sizeBytes: number;
    }
  | {
      readonly type: 'RecordFirmwareImage';
      readonly taskId: string;
      readonly failure: FirmwareFailureReason;
      readonly message: string;
    };

export type FirmwareCommand = RegisterFirmware | RequestFirmwareUpdate | RecordFirmwareImage;

/** An update asked for and not yet applied or failed; `staged` once its image is fetched. */
export interface OpenFirmwareUpdate {
  readonly taskId: string;
  readonly imageUri: string;
  readonly targets: readonly string[];
  readonly staged?: { readonly version: string; readonly sha256: string };
}

export interface FirmwareState {
  readonly components: readonly FirmwareComponent[];
  /**
   * The version each component runs. A list, not an object keyed by component id: ids carry
   * their system's, and ten thousand objects each with keys of their own slow down every object
   * V8 builds a key at a time (its empty object's shape would have a branch for each id).
   */
  readonly installed: readonly InstalledVersion[];
  readonly updates: readonly OpenFirmwareUpdate[];
}

export interface InstalledVersion {
  readonly id: string;
  readonly version: string;
}

export const INITIAL_FIRMWARE: FirmwareState = { components: [], installed: [], updates: [] };

/** The version a component runs: the one installed, else the one its config gives. */
export function installedVersion(state: FirmwareState, component: FirmwareComponent): string {
  return state.installed.find((installed) => installed.id === component.id)?.version ?? component.version;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A system's firmware: its components with the version each runs, and the updates under way.
 * Part of the system aggregate, since an update takes effect when the system boots.
 */
export function decideFirmware(command: FirmwareCommand, state: FirmwareState): FirmwareEvent[] | RedfishProblem {
  switch (command.type) {
    case 'RegisterFirmware':
      return sameJson(state.components, command.components)
        ? []
        : [{ type: 'FirmwareRegistered', data: { components: command.components } }];
    case 'RequestFirmwareUpdate': {
      const { type: _, ...data } = command;
      const unknown = data.targets.find((id) => !state.components.some((c) => c.id === id));
      if (unknown !== undefined) return problem(400, 'ResourceNotFound', ['SoftwareInventory', unknown], ['/Targets']);
      return [{ type: 'FirmwareUpdateRequested', data }];
    }
    case 'RecordFirmwareImage': {
      // Only an update still waiting for its image has an outcome to record: a retry after a crash records nothing twice.
      const open = state.updates.find((u) => u.taskId === command.taskId);
      if (!open || open.staged) return [];
      if ('failure' in command)
        return [
          {
            type: 'FirmwareUpdateFailed',
            data: {
              taskId: command.taskId,
              imageUri: open.imageUri,
              reason: command.failure,
              message: command.message,
            },
          },
        ];
      const { taskId, version, sha256, sizeBytes } = command;
      return [{ type: 'FirmwareImageStaged', data: { taskId, version, sha256, sizeBytes } }];
    }
  }
}

/** What a boot does to firmware: every staged image takes effect on its targets, in the order asked. */
export function firmwareBootEffects(state: FirmwareState): FirmwareEvent[] {
  return state.updates
    .filter((u) => u.staged)
    .map((u) => ({
      type: 'FirmwareUpdateApplied',
      data: { taskId: u.taskId, versions: Object.fromEntries(u.targets.map((id) => [id, u.staged!.version])) },
    }));
}

export function evolveFirmware(state: FirmwareState, event: FirmwareEvent): FirmwareState {
  switch (event.type) {
    case 'FirmwareRegistered': {
      // A component keeps the version an update gave it unless the config now says another.
      const before = new Map(state.components.map((c) => [c.id, c.version]));
      const installed = event.data.components.map((c) => ({
        id: c.id,
        version: before.get(c.id) === c.version ? installedVersion(state, c) : c.version,
      }));
      return { ...state, components: event.data.components, installed };
    }
    case 'FirmwareUpdateRequested': {
      const { taskId, imageUri, targets } = event.data;
      return { ...state, updates: [...state.updates, { taskId, imageUri, targets }] };
    }
    case 'FirmwareImageStaged': {
      const { taskId, version, sha256 } = event.data;
      return {
        ...state,
        updates: state.updates.map((u) => (u.taskId === taskId ? { ...u, staged: { version, sha256 } } : u)),
      };
    }
    case 'FirmwareUpdateFailed':
      return { ...state, updates: state.updates.filter((u) => u.taskId !== event.data.taskId) };
    case 'FirmwareUpdateApplied':
      return {
        ...state,
        installed: state.installed.map(({ id, version }) => ({ id, version: event.data.versions[id] ?? version })),
        updates: state.updates.filter((u) => u.taskId !== event.data.taskId),
      };
  }
}

/** The version a staged image would give each component: the latest staged update naming it. */
export function stagedVersions(state: FirmwareState): Map<string, string> {
  const staged = new Map<string, string>();
  for (const update of state.updates)
    if (update.staged) for (const id of update.targets) staged.set(id, update.staged.version);
  return staged;
}
