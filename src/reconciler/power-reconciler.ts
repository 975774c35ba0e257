import type { EventStore } from '../eventstore/event-store.js';
import type { RecordedEvent } from '../eventstore/event.js';
import { executeCommand } from '../eventstore/execute-command.js';
import { subscribe, type Subscription } from '../eventstore/subscription.js';
import { systemDecider } from '../domain/system/system-decider.js';
import { systemStream, type ResetRequested, type ResetType } from '../domain/system/system-events.js';
import type { LibvirtClient } from '../libvirt/client.js';
import type { LibvirtConnections } from '../libvirt/connections.js';
import { DomainState } from '../libvirt/constants.js';
import type { DomainHandle } from '../libvirt/structs.js';
import type { LabSystem } from '../lab/lab-systems.js';

const CHECKPOINT = 'power-reconciler';

type Power = 'running' | 'paused' | 'off';

function powerOf(state: number): Power {
  if (state === DomainState.Paused || state === DomainState.PmSuspended) return 'paused';
  return state === DomainState.Shutoff || state === DomainState.Crashed || state === DomainState.NoState ? 'off' : 'running';
}

/**
 * What each ResetType does to a libvirt domain in each power state, as a real server's BMC would:
 * a request that makes no sense in the current state (ForceOff of a server that is off) is done
 * by doing nothing, as BMCs do.
 */
export async function applyReset(client: LibvirtClient, domain: DomainHandle, resetType: ResetType): Promise<void> {
  const power = powerOf((await client.domainGetState(domain)).state);
  const start = async () => {
    if (power === 'off') await client.domainCreate(domain);
    if (power === 'paused') await client.domainResume(domain);
  };
  switch (resetType) {
    case 'On':
    case 'ForceOn':
      return start();
    case 'ForceOff':
      if (power !== 'off') await client.domainDestroy(domain);
      return;
    case 'GracefulShutdown':
      if (power !== 'off') await client.domainShutdown(domain);
      return;
    case 'GracefulRestart':
      if (power === 'off') return start();
      return client.domainReboot(domain);
    case 'ForceRestart':
      if (power === 'off') return start();
      return client.domainReset(domain);
    case 'Nmi':
      if (power !== 'off') await client.domainInjectNmi(domain);
      return;
    case 'PushPowerButton':
      if (power === 'off') return start();
      return client.domainShutdown(domain);
  }
}

/**
 * Carries out ResetRequested events on libvirt, in log order, and records each outcome. Its
 * place in the log is a checkpoint, so a reset requested just before the emulator stopped is
 * carried out when it starts again rather than left pending.
 */
export class PowerReconciler {
  private subscription: Subscription | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly connections: LibvirtConnections,
    private readonly systems: readonly LabSystem[],
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    // On a store that never ran it, there is nothing from before to carry out.
    const after = this.store.checkpoint(CHECKPOINT) ?? this.store.lastPosition();
    this.subscription = subscribe(this.store, { afterPosition: after, handler: (event) => this.handle(event) });
    this.subscription.done.catch((err: Error) => this.log(`power reconciler stopped: ${err.message}`));
  }

  private async handle(event: RecordedEvent): Promise<void> {
    if (event.type === 'ResetRequested') {
      const system = this.systems.find((s) => systemStream(s.id) === event.streamId);
      if (system) await this.reset(system, event as RecordedEvent<ResetRequested['data']>);
    }
    this.store.saveCheckpoint(CHECKPOINT, event.position);
  }

  private async reset(system: LabSystem, event: RecordedEvent<ResetRequested['data']>): Promise<void> {
    const { resetType } = event.data;
    let message: string | undefined;
    try {
      const client = await this.connections.get(system.libvirtUri);
      await applyReset(client, await client.domainLookupByName(system.domainName), resetType);
    } catch (err) {
      message = (err as Error).message;
      this.log(`reset ${resetType} of ${system.id} failed: ${message}`);
    }
    executeCommand(
      this.store,
      event.streamId,
      systemDecider,
      { type: 'RecordResetOutcome', resetType, requestedAt: event.position, ...(message !== undefined && { message }) },
      { actor: 'reconciler', causationId: event.position, ...(event.meta.requestId && { requestId: event.meta.requestId }) },
    );
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
  }
}
