import { isProblem, type Decider } from '../../src/domain/decider.js';
import type { AppendRequest, EventMeta, NewEvent, RecordedCommand } from '../../src/eventstore/event.js';
import type { EmulatorConfig, SystemConfig } from '../../src/config/config.js';
import { labSystems } from '../../src/lab/lab-systems.js';
import { registerSystemCommand } from '../../src/lab/register-systems.js';
import { storageRegistration } from '../../src/lab/lab-storage.js';
import { INTERNAL_ACTORS } from '../../src/scenario/scenario-steps.js';
import { serviceDecider } from '../../src/domain/service/service-decider.js';
import { systemDecider, type SystemCommand, type SystemState } from '../../src/domain/system/system-decider.js';
import { systemStream } from '../../src/domain/system/system-events.js';
import { storageDecider, type StorageCommand, type StorageState } from '../../src/domain/storage/storage-decider.js';
import { driveUri, storageStream } from '../../src/domain/storage/storage-events.js';
import { seededRandom as random } from './seeded-random.js';

const GiB = 1024 ** 3;
const STORAGE_ID = 'RAID-Controller-1';

/**
 * The lab the history is of, as its config describes it: `count` systems (default 16), each
 * with a RAID controller of four 64 GiB HDDs and two 32 GiB SSDs.
 */
export function labHistorySystems(count = 16): SystemConfig[] {
  return Array.from({ length: count }, (_, i) => {
    const systemId = `node-${i + 1}`;
    return {
      id: systemId,
      name: `Lab node ${i + 1}`,
      domain: `rfe-lab-node-${i + 1}`,
      vcpus: 2,
      memoryMiB: 4096,
      firmware: (i + 1) % 3 === 0 ? 'UEFI' : 'BIOS',
      storage: [
        {
          id: STORAGE_ID,
          name: 'Emulated RAID controller',
          controller: {
            model: 'Emulated SAS RAID 9460',
            supportedRaidTypes: ['None', 'RAID0', 'RAID1', 'RAID5', 'RAID6', 'RAID10'],
            protocols: ['SAS'],
          },
          drives: [0, 1, 2, 3, 4, 5].map((d) => ({
            id: String(d),
            capacityBytes: d < 4 ? 64 * GiB : 32 * GiB,
            mediaType: d < 4 ? ('HDD' as const) : ('SSD' as const),
            protocol: 'SAS' as const,
            model: 'Emulated SAS drive',
            serialNumber: `EMU-${systemId}-${d}`,
            ...(d < 4 && { rotationSpeedRPM: 10000 }),
          })),
        },
      ],
    };
  });
}

interface Stream<Command, State> {
  readonly id: string;
  readonly decider: Decider<Command, { type: string; data: unknown }, State>;
  state: State;
  version: number;
}

type Step =
  | { stream: 'system'; command: SystemCommand; actor: string }
  | { stream: 'storage'; command: StorageCommand; actor: string };

interface LabSystemScript {
  readonly systemId: string;
  readonly system: Stream<SystemCommand, SystemState>;
  readonly storage: Stream<StorageCommand, StorageState>;
  /** The steps still to take in this system's current cycle. */
  pending: (() => Step | undefined)[];
  cycle: number;
}

export interface LabHistoryOptions {
  /** How many systems, each with a RAID controller of six drives (default 16). */
  readonly systems?: number;
  readonly seed?: number;
}

/**
 * A realistic lab history, as the emulator records it: systems and their storage registered from
 * the config, then provisioning cycles interleaved across machines as a deployment tool drives
 * them — boot override, virtual media, BIOS settings, resets carried out and observed, volumes
 * created and deleted through tasks, drive faults with rebuilds, the locator light. Every event
 * comes from the real deciders (decide, then evolve), so the projectors see what they see live.
 *
 * `next()` gives one command's events as an append request to a fresh store; positions are
 * counted as they would be given there (ResetApplied names its request's position).
 */
export class LabHistory {
  private readonly rand: () => number;
  private readonly scripts: LabSystemScript[] = [];
  private readonly setup: AppendRequest[] = [];
  private nextPosition = 1;
  private taskCounter = 0;

  constructor(options: LabHistoryOptions = {}) {
    this.rand = random(options.seed ?? 1);
    const service: Stream<unknown, { created: boolean }> = {
      id: '/redfish/v1',
      decider: serviceDecider as Stream<unknown, { created: boolean }>['decider'],
      state: serviceDecider.initialState,
      version: 0,
    };
    const created = this.decide(
      service,
      {
        type: 'CreateService',
        uuid: '8a5c2f1e-0000-4000-8000-000000000001',
        name: 'Redfish Emulator BMC',
        product: 'redfish-emulator',
        redfishVersion: '1.20.0',
      },
      'emulator',
    );
    if (created) this.setup.push(created);
    const systems = labSystems({
      libvirt: { uri: 'qemu:///system' },
      lab: { systems: labHistorySystems(options.systems) },
    } as unknown as EmulatorConfig);
    for (const [index, labSystem] of systems.entries()) {
      const n = index + 1;
      const systemId = labSystem.id;
      const script: LabSystemScript = {
        systemId,
        system: {
          id: systemStream(systemId),
          decider: systemDecider as LabSystemScript['system']['decider'],
          state: systemDecider.initialState,
          version: 0,
        },
        storage: {
          id: storageStream(systemId, STORAGE_ID),
          decider: storageDecider as LabSystemScript['storage']['decider'],
          state: storageDecider.initialState,
          version: 0,
        },
        pending: [],
        cycle: 0,
      };
      this.scripts.push(script);
      const registration: Step[] = [
        { stream: 'system', actor: 'lab-config', command: registerSystemCommand(labSystem) },
        {
          stream: 'storage',
          actor: 'lab-config',
          command: { type: 'RegisterStorage', ...storageRegistration(labSystem, labSystem.config.storage![0]!) },
        },
        {
          stream: 'system',
          actor: 'libvirt-observer',
          command: {
            type: 'ObserveDomain',
            uuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
            vcpus: 2,
            memoryBytes: 4 * GiB,
            firmware: n % 3 === 0 ? 'UEFI' : 'BIOS',
            macAddresses: [
              `52:54:00:00:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`,
            ],
          },
        },
        { stream: 'system', actor: 'libvirt-observer', command: { type: 'ObservePowerState', powerState: 'Off' } },
      ];
      for (const step of registration) {
        const request = this.take(script, step);
        if (request) this.setup.push(request);
      }
      // A boot volume that stays, as a deployed machine keeps its root disk.
      for (const step of this.volumeCreate(script, [0, 1], 'RAID1', 8 * GiB)) {
        const request = this.take(script, step());
        if (request) this.setup.push(request);
      }
    }
  }

  /** The next command's events, or (after the setup) one more step of some machine's cycle. */
  next(): AppendRequest {
    for (;;) {
      const setup = this.setup.shift();
      if (setup) return setup;
      const script = this.scripts[Math.floor(this.rand() * this.scripts.length)]!;
      if (script.pending.length === 0) {
        script.pending = this.cycle(script);
        script.cycle += 1;
      }
      const step = script.pending.shift()!();
      const request = step && this.take(script, step);
      if (request) return request;
    }
  }

  /** Ids of resources the history touches, for reading them back. */
  resources(): string[] {
    return this.scripts.flatMap((s) => [
      s.system.id,
      `${s.system.id}/Bios`,
      `/redfish/v1/Managers/${s.systemId}/VirtualMedia/Cd`,
      s.storage.id,
      `${s.storage.id}/Volumes`,
      driveUri(s.systemId, STORAGE_ID, '2'),
    ]);
  }

  private take(script: LabSystemScript, step: Step): AppendRequest | undefined {
    return step.stream === 'system'
      ? this.decide(script.system, step.command, step.actor)
      : this.decide(script.storage, step.command, step.actor);
  }

  private decide<C, S>(stream: Stream<C, S>, command: C, actor: string): AppendRequest | undefined {
    const decided = stream.decider.decide(command, stream.state);
    if (isProblem(decided)) throw new Error(`${stream.id}: ${JSON.stringify(command)} refused: ${decided.messageId}`);
    if (decided.length === 0) return undefined;
    // A client's command travels with its events, as the emulator records it (scenarios send it again).
    const meta: EventMeta = {
      actor,
      requestId: `req-${this.nextPosition}`,
      ...(!INTERNAL_ACTORS.has(actor) && { command: command as RecordedCommand }),
    };
    const request: AppendRequest = {
      streamId: stream.id,
      expectedVersion: stream.version,
      events: decided as readonly NewEvent[],
      meta,
    };
    for (const event of decided) stream.state = stream.decider.evolve(stream.state, event);
    stream.version += decided.length;
    this.nextPosition += decided.length;
    return request;
  }

  private task(): string {
    this.taskCounter += 1;
    return `${this.taskCounter}`;
  }

  /** A create through its task: requested, then carried out (or, now and then, failed). */
  private volumeCreate(
    script: LabSystemScript,
    drives: number[],
    raidType: string,
    capacityBytes: number,
  ): (() => Step)[] {
    const taskId = this.task();
    return [
      () => ({
        stream: 'storage',
        actor: 'user:admin',
        command: {
          type: 'CreateVolume',
          taskId,
          applyTime: 'Immediate',
          request: {
            raidType,
            drives: drives.map((d) => driveUri(script.systemId, STORAGE_ID, String(d))),
            capacityBytes,
          },
        },
      }),
      () => ({ stream: 'storage', actor: 'reconciler', command: { type: 'RecordOperationOutcome', taskId } }),
    ];
  }

  /** One provisioning cycle of a machine, as a deployment tool and the reconcilers drive it. */
  private cycle(script: LabSystemScript): (() => Step | undefined)[] {
    const r = this.rand;
    const steps: (() => Step | undefined)[] = [];
    const system = (actor: string, command: SystemCommand) => steps.push(() => ({ stream: 'system', actor, command }));
    const storage = (actor: string, command: StorageCommand) =>
      steps.push(() => ({ stream: 'storage', actor, command }));
    const reset = (resetType: 'On' | 'ForceOff' | 'ForceRestart', power: 'On' | 'Off') => {
      let at = 0;
      steps.push(() => {
        // The request's position: the next one given, as it is appended right after this.
        at = this.nextPosition;
        return { stream: 'system', actor: 'user:admin', command: { type: 'ResetSystem', resetType } };
      });
      steps.push(() => ({
        stream: 'system',
        actor: 'reconciler',
        command: { type: 'RecordResetOutcome', resetType, requestedAt: at },
      }));
      system('libvirt-observer', { type: 'ObservePowerState', powerState: power });
    };
    const image = `http://images.lab/ipa-${script.cycle % 7}.iso`;
    system('user:admin', { type: 'PatchSystem', target: r() < 0.5 ? 'Cd' : 'Pxe', enabled: 'Once' });
    system('user:admin', { type: 'InsertMedia', device: 'Cd', image });
    system(
      'reconciler',
      r() < 0.05
        ? { type: 'RecordMediaOutcome', device: 'Cd', action: 'insert', image, message: 'HTTP 404 fetching the image' }
        : { type: 'RecordMediaOutcome', device: 'Cd', action: 'insert', image },
    );
    if (r() < 0.4)
      system('user:admin', {
        type: 'SetBiosSettings',
        attributes: {
          ProcVirtualization: r() < 0.5 ? 'Enabled' : 'Disabled',
          BootRetryCount: Math.floor(r() * 10),
          AssetTag: `rack-${script.cycle % 40}`,
        },
      });
    reset('On', 'On');
    system('user:admin', { type: 'PatchSystem', led: 'Blinking' });
    const volumeId = () => String(script.storage.state.volumesEverRequested);
    steps.push(...this.volumeCreate(script, [2, 3], r() < 0.5 ? 'RAID1' : 'RAID0', (1 + Math.floor(r() * 8)) * GiB));
    if (r() < 0.3) {
      let created = '';
      steps.push(() => {
        created = volumeId();
        return undefined;
      });
      steps.push(() => ({
        stream: 'storage',
        actor: 'user:admin',
        command: { type: 'RenameVolume', volumeId: created, name: `data-${script.cycle}` },
      }));
    }
    if (r() < 0.25) {
      const drive = String(4 + Math.floor(r() * 2));
      storage('user:admin', { type: 'FailDrive', driveId: drive });
      storage('user:admin', {
        type: 'ReplaceDrive',
        driveId: drive,
        serialNumber: `NEW-${script.systemId}-${script.cycle}`,
      });
    }
    if (r() < 0.3) {
      // A rebuild of the boot volume onto a replaced member, reported as it progresses.
      storage('user:admin', {
        type: 'ReplaceDrive',
        driveId: '1',
        serialNumber: `RB-${script.systemId}-${script.cycle}`,
      });
      for (const percent of [10, 25, 40, 55, 70, 85, 100])
        storage('reconciler', { type: 'RecordRebuildProgress', volumeId: '1', percent });
    }
    for (let i = 0; i < 1 + Math.floor(r() * 4); i += 1)
      system('libvirt-observer', { type: 'ObservePowerState', powerState: i % 2 === 0 ? 'Paused' : 'On' });
    system('user:admin', { type: 'EjectMedia', device: 'Cd' });
    system('reconciler', { type: 'RecordMediaOutcome', device: 'Cd', action: 'eject' });
    system('user:admin', { type: 'PatchSystem', led: 'Off' });
    if (r() < 0.5) reset('ForceRestart', 'On');
    let doomed = '';
    steps.push(() => {
      doomed = volumeId();
      return undefined;
    });
    const deleteTask = this.task();
    steps.push(() =>
      script.storage.state.volumes[doomed]
        ? {
            stream: 'storage',
            actor: 'user:admin',
            command: { type: 'DeleteVolume', taskId: deleteTask, applyTime: 'Immediate', volumeId: doomed },
          }
        : undefined,
    );
    storage('reconciler', { type: 'RecordOperationOutcome', taskId: deleteTask });
    reset('ForceOff', 'Off');
    return steps;
  }
}
