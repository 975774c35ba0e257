import { DomainState, Limits, nameOf, Procedure, type DomainStateName } from './constants.js';
import { LibvirtConnection, type LibvirtClientOptions } from './libvirt-connection.js';
import {
  readDomain,
  readPool,
  readVolume,
  writeDomain,
  writePool,
  writeUuid,
  writeVolume,
  type DomainHandle,
  type PoolHandle,
  type VolumeHandle,
} from './structs.js';
import type { XdrReader, XdrWriter } from './xdr.js';
import type { Hypervisor } from './hypervisor.js';

export type { DomainEvent, LibvirtClientOptions } from './libvirt-connection.js';

export interface NodeInfo {
  readonly model: string;
  readonly memoryKiB: bigint;
  readonly cpus: number;
  readonly mhz: number;
  readonly nodes: number;
  readonly sockets: number;
  readonly cores: number;
  readonly threads: number;
}

export interface DomainStateInfo {
  readonly state: number;
  readonly stateName: DomainStateName;
  readonly reason: number;
}

export interface DomainInfo {
  readonly state: number;
  readonly maxMemoryKiB: bigint;
  readonly memoryKiB: bigint;
  readonly vcpus: number;
  readonly cpuTimeNs: bigint;
}

export interface PoolInfo {
  readonly state: number;
  readonly capacity: bigint;
  readonly allocation: bigint;
  readonly available: bigint;
}

export interface VolumeInfo {
  readonly type: number;
  readonly capacity: bigint;
  readonly allocation: bigint;
}

const str = (w: XdrWriter, value: string) => w.string(value, Limits.string);
const readStr = (r: XdrReader) => r.string(Limits.string);

/**
 * The libvirt procedures the emulator uses, one typed method each, on a connection that keeps
 * itself open (libvirt-connection.ts). Each passes its arguments and reads its reply as
 * remote_protocol.x lays them out.
 */
export class LibvirtClient extends LibvirtConnection implements Hypervisor {
  /** Connects and opens `uri`; fails at once, with a clear message, if the daemon is not reachable. */
  static async connect(uri: string, options: LibvirtClientOptions = {}): Promise<LibvirtClient> {
    const client = new LibvirtClient(uri, options);
    await client.start();
    return client;
  }

  // --- connection ---------------------------------------------------------------------------

  /** libvirt's version as major·1,000,000 + minor·1,000 + micro. */
  libVersion(): Promise<bigint> {
    return this.invoke(Procedure.ConnectGetLibVersion, undefined, (r) => r.uhyper());
  }

  hypervisorVersion(): Promise<bigint> {
    return this.invoke(Procedure.ConnectGetVersion, undefined, (r) => r.uhyper());
  }

  hostname(): Promise<string> {
    return this.invoke(Procedure.ConnectGetHostname, undefined, readStr);
  }

  nodeInfo(): Promise<NodeInfo> {
    return this.invoke(Procedure.NodeGetInfo, undefined, (r) => {
      const model = Buffer.from(r.fixedArray(Limits.nodeModelChars, (x) => x.int()))
        .toString('latin1')
        .replace(/\0.*$/s, '');
      return {
        model,
        memoryKiB: r.uhyper(),
        cpus: r.int(),
        mhz: r.int(),
        nodes: r.int(),
        sockets: r.int(),
        cores: r.int(),
        threads: r.int(),
      };
    });
  }

  // --- domains ------------------------------------------------------------------------------

  listAllDomains(flags = 0): Promise<DomainHandle[]> {
    return this.invoke(
      Procedure.ConnectListAllDomains,
      (w) => w.int(1).uint(flags),
      (r) => {
        const domains = r.array(Limits.listItems, readDomain);
        r.uint();
        return domains;
      },
    );
  }

  /** Every domain with its state, in one round trip per domain pipelined. */
  async listAllDomainsWithState(): Promise<{ domain: DomainHandle; state: DomainStateInfo }[]> {
    const domains = await this.listAllDomains();
    const states = await Promise.all(domains.map((d) => this.domainGetState(d)));
    return domains.map((domain, i) => ({ domain, state: states[i]! }));
  }

  domainLookupByName(name: string): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainLookupByName, (w) => str(w, name), readDomain);
  }

  domainLookupByUuid(uuid: Buffer): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainLookupByUuid, (w) => writeUuid(w, uuid), readDomain);
  }

  domainGetXml(domain: DomainHandle, flags = 0): Promise<string> {
    return this.invoke(Procedure.DomainGetXmlDesc, (w) => writeDomain(w, domain).uint(flags), readStr);
  }

  domainDefineXml(xml: string, flags = 0): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainDefineXmlFlags, (w) => str(w, xml).uint(flags), readDomain);
  }

  domainUndefine(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainUndefineFlags, (w) => writeDomain(w, domain).uint(flags));
  }

  /** Starts the domain; returns its handle with the new running id. */
  domainCreate(domain: DomainHandle, flags = 0): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainCreateWithFlags, (w) => writeDomain(w, domain).uint(flags), readDomain);
  }

  domainDestroy(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainDestroyFlags, (w) => writeDomain(w, domain).uint(flags));
  }

  /** Asks the guest to shut down (ACPI by default); returns once the request is sent. */
  domainShutdown(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainShutdownFlags, (w) => writeDomain(w, domain).uint(flags));
  }

  domainReboot(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainReboot, (w) => writeDomain(w, domain).uint(flags));
  }

  /** A hard reset, like the reset button. */
  domainReset(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainReset, (w) => writeDomain(w, domain).uint(0));
  }

  domainSuspend(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainSuspend, (w) => writeDomain(w, domain));
  }

  domainResume(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainResume, (w) => writeDomain(w, domain));
  }

  domainInjectNmi(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainInjectNmi, (w) => writeDomain(w, domain).uint(0));
  }

  domainGetState(domain: DomainHandle): Promise<DomainStateInfo> {
    return this.invoke(
      Procedure.DomainGetState,
      (w) => writeDomain(w, domain).uint(0),
      (r) => {
        const state = r.int();
        return { state, stateName: nameOf(DomainState, state) as DomainStateName, reason: r.int() };
      },
    );
  }

  domainGetInfo(domain: DomainHandle): Promise<DomainInfo> {
    return this.invoke(
      Procedure.DomainGetInfo,
      (w) => writeDomain(w, domain),
      (r) => ({
        state: r.int(),
        maxMemoryKiB: r.uhyper(),
        memoryKiB: r.uhyper(),
        vcpus: r.int(),
        cpuTimeNs: r.uhyper(),
      }),
    );
  }

  domainIsActive(domain: DomainHandle): Promise<boolean> {
    return this.invoke(
      Procedure.DomainIsActive,
      (w) => writeDomain(w, domain),
      (r) => r.int() === 1,
    );
  }

  domainSetAutostart(domain: DomainHandle, autostart: boolean): Promise<void> {
    return this.invoke(Procedure.DomainSetAutostart, (w) => writeDomain(w, domain).int(autostart ? 1 : 0));
  }

  /** flags: DeviceModifyFlag.Live and/or .Config. */
  domainAttachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainAttachDeviceFlags, (w) => str(writeDomain(w, domain), xml).uint(flags));
  }

  domainDetachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainDetachDeviceFlags, (w) => str(writeDomain(w, domain), xml).uint(flags));
  }

  domainUpdateDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainUpdateDeviceFlags, (w) => str(writeDomain(w, domain), xml).uint(flags));
  }

  // --- storage pools ------------------------------------------------------------------------

  listAllStoragePools(flags = 0): Promise<PoolHandle[]> {
    return this.invoke(
      Procedure.ConnectListAllStoragePools,
      (w) => w.int(1).uint(flags),
      (r) => {
        const pools = r.array(Limits.listItems, readPool);
        r.uint();
        return pools;
      },
    );
  }

  poolLookupByName(name: string): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByName, (w) => str(w, name), readPool);
  }

  poolLookupByUuid(uuid: Buffer): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByUuid, (w) => writeUuid(w, uuid), readPool);
  }

  poolLookupByVolume(volume: VolumeHandle): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByVolume, (w) => writeVolume(w, volume), readPool);
  }

  poolDefineXml(xml: string): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolDefineXml, (w) => str(w, xml).uint(0), readPool);
  }

  poolBuild(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolBuild, (w) => writePool(w, pool).uint(flags));
  }

  /** Starts (activates) the pool. */
  poolCreate(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolCreate, (w) => writePool(w, pool).uint(flags));
  }

  /** Stops the pool; its volumes stay on disk. */
  poolDestroy(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolDestroy, (w) => writePool(w, pool));
  }

  /** Removes the pool's target directory (which must be empty). */
  poolDelete(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolDelete, (w) => writePool(w, pool).uint(flags));
  }

  poolUndefine(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolUndefine, (w) => writePool(w, pool));
  }

  poolRefresh(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolRefresh, (w) => writePool(w, pool).uint(0));
  }

  poolSetAutostart(pool: PoolHandle, autostart: boolean): Promise<void> {
    return this.invoke(Procedure.StoragePoolSetAutostart, (w) => writePool(w, pool).int(autostart ? 1 : 0));
  }

  poolGetInfo(pool: PoolHandle): Promise<PoolInfo> {
    return this.invoke(
      Procedure.StoragePoolGetInfo,
      (w) => writePool(w, pool),
      (r) => ({
        state: r.int(),
        capacity: r.uhyper(),
        allocation: r.uhyper(),
        available: r.uhyper(),
      }),
    );
  }

  poolGetXml(pool: PoolHandle, flags = 0): Promise<string> {
    return this.invoke(Procedure.StoragePoolGetXmlDesc, (w) => writePool(w, pool).uint(flags), readStr);
  }

  poolListVolumes(pool: PoolHandle): Promise<VolumeHandle[]> {
    return this.invoke(
      Procedure.StoragePoolListAllVolumes,
      (w) => writePool(w, pool).int(1).uint(0),
      (r) => {
        const volumes = r.array(Limits.listItems, readVolume);
        r.uint();
        return volumes;
      },
    );
  }

  // --- storage volumes ----------------------------------------------------------------------

  volumeCreateXml(pool: PoolHandle, xml: string, flags = 0): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolCreateXml, (w) => str(writePool(w, pool), xml).uint(flags), readVolume);
  }

  volumeDelete(volume: VolumeHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StorageVolDelete, (w) => writeVolume(w, volume).uint(flags));
  }

  volumeLookupByName(pool: PoolHandle, name: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByName, (w) => str(writePool(w, pool), name), readVolume);
  }

  volumeLookupByKey(key: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByKey, (w) => str(w, key), readVolume);
  }

  volumeLookupByPath(path: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByPath, (w) => str(w, path), readVolume);
  }

  volumeGetInfo(volume: VolumeHandle): Promise<VolumeInfo> {
    return this.invoke(
      Procedure.StorageVolGetInfo,
      (w) => writeVolume(w, volume),
      (r) => ({
        type: r.int(),
        capacity: r.uhyper(),
        allocation: r.uhyper(),
      }),
    );
  }

  volumeGetXml(volume: VolumeHandle): Promise<string> {
    return this.invoke(Procedure.StorageVolGetXmlDesc, (w) => writeVolume(w, volume).uint(0), readStr);
  }

  volumeGetPath(volume: VolumeHandle): Promise<string> {
    return this.invoke(Procedure.StorageVolGetPath, (w) => writeVolume(w, volume), readStr);
  }

  volumeResize(volume: VolumeHandle, capacityBytes: bigint, flags = 0): Promise<void> {
    return this.invoke(Procedure.StorageVolResize, (w) => writeVolume(w, volume).uhyper(capacityBytes).uint(flags));
  }
}
