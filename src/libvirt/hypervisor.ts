import type { DomainStateInfo, PoolInfo, VolumeInfo } from './client.js';
import type { DomainEvent } from './libvirt-connection.js';
import type { DomainHandle, PoolHandle, VolumeHandle } from './structs.js';

/**
 * What the lab and its reconcilers ask of a host: the libvirt procedures they use, by the same
 * names and with the same errors (LibvirtError with libvirt's codes). LibvirtClient speaks them
 * to a daemon; SimulatedHypervisor keeps machines that exist only in memory. Code that takes a
 * Hypervisor cannot tell which it has, so a simulated machine goes through the same steps.
 */
export interface Hypervisor {
  readonly uri: string;

  listAllDomains(flags?: number): Promise<DomainHandle[]>;
  listAllDomainsWithState(): Promise<{ domain: DomainHandle; state: DomainStateInfo }[]>;
  domainLookupByName(name: string): Promise<DomainHandle>;
  domainLookupByUuid(uuid: Buffer): Promise<DomainHandle>;
  domainGetXml(domain: DomainHandle, flags?: number): Promise<string>;
  domainDefineXml(xml: string, flags?: number): Promise<DomainHandle>;
  domainUndefine(domain: DomainHandle, flags?: number): Promise<void>;
  domainCreate(domain: DomainHandle, flags?: number): Promise<DomainHandle>;
  domainDestroy(domain: DomainHandle, flags?: number): Promise<void>;
  domainShutdown(domain: DomainHandle, flags?: number): Promise<void>;
  domainReboot(domain: DomainHandle, flags?: number): Promise<void>;
  domainReset(domain: DomainHandle): Promise<void>;
  domainSuspend(domain: DomainHandle): Promise<void>;
  domainResume(domain: DomainHandle): Promise<void>;
  domainInjectNmi(domain: DomainHandle): Promise<void>;
  domainGetState(domain: DomainHandle): Promise<DomainStateInfo>;
  domainIsActive(domain: DomainHandle): Promise<boolean>;
  domainAttachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void>;
  domainDetachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void>;
  domainUpdateDevice(domain: DomainHandle, xml: string, flags: number): Promise<void>;

  listAllStoragePools(flags?: number): Promise<PoolHandle[]>;
  poolLookupByName(name: string): Promise<PoolHandle>;
  poolDefineXml(xml: string): Promise<PoolHandle>;
  poolBuild(pool: PoolHandle, flags?: number): Promise<void>;
  poolCreate(pool: PoolHandle, flags?: number): Promise<void>;
  poolDestroy(pool: PoolHandle): Promise<void>;
  poolUndefine(pool: PoolHandle): Promise<void>;
  poolRefresh(pool: PoolHandle): Promise<void>;
  poolSetAutostart(pool: PoolHandle, autostart: boolean): Promise<void>;
  poolGetInfo(pool: PoolHandle): Promise<PoolInfo>;
  poolGetXml(pool: PoolHandle, flags?: number): Promise<string>;
  poolListVolumes(pool: PoolHandle): Promise<VolumeHandle[]>;

  volumeCreateXml(pool: PoolHandle, xml: string, flags?: number): Promise<VolumeHandle>;
  volumeDelete(volume: VolumeHandle, flags?: number): Promise<void>;
  volumeLookupByName(pool: PoolHandle, name: string): Promise<VolumeHandle>;
  volumeLookupByPath(path: string): Promise<VolumeHandle>;
  volumeGetInfo(volume: VolumeHandle): Promise<VolumeInfo>;
  volumeGetPath(volume: VolumeHandle): Promise<string>;

  /** Lifecycle and reboot events of every domain; returns the function that stops them. */
  onDomainEvent(listener: (event: DomainEvent) => void): Promise<() => Promise<void>>;
  /** 'disconnected' (error) when the host goes away, 'reconnected' when it is back: events in between are lost. */
  on(event: 'disconnected' | 'reconnected', listener: (error?: Error) => void): unknown;
  close(): Promise<void>;
}
