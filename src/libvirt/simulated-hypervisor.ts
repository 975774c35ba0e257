import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { DomainStateInfo, PoolInfo, VolumeInfo } from './client.js';
import {
  DeviceModifyFlag,
  DomainPausedReason,
  DomainState,
  DomainXmlFlag,
  ErrorCode,
  LifecycleEvent,
  nameOf,
  StoragePoolState,
  StorageVolType,
  type DomainStateName,
} from './constants.js';
import { LibvirtError } from './errors.js';
import type { Hypervisor } from './hypervisor.js';
import type { DomainEvent } from './libvirt-connection.js';
import { uuidFromString, uuidToString, type DomainHandle, type PoolHandle, type VolumeHandle } from './structs.js';
import { attr, child, childText, parseXml, type XmlNode } from '../xml.js';
import { buildDomainDocument, elementAt, parseDomainDocument } from './xml/domain-document.js';
import { readPoolXml, readVolumeXml } from './xml/storage-xml.js';
import { ScriptedCalls } from './scripted-calls.js';
import type { SimulatedState } from './simulated-state-file.js';

/** The URI of the simulated host: machines with no VM behind them, kept by the emulator itself. */
export const SIMULATED_URI = 'simulated:///';

export const isSimulatedUri = (uri: string): boolean => uri.startsWith('simulated:');

export interface SimulatedHypervisorOptions {
  /** How long a domain's power change takes, in ms, asked at each change (so it may be random). Default 0: at once. */
  readonly powerDelayMs?: (domainName: string) => number;
  /** The state at start (domains, pools and volumes), as `snapshot()` gave it. */
  readonly state?: SimulatedState;
  /** Told after every change, with nothing: a caller that keeps the state asks for `snapshot()`. */
  readonly onChange?: () => void;
}

interface Domain {
  name: string;
  uuid: Buffer;
  /** The persistent definition. */
  xml: string;
  /** The running machine's definition, while it runs. */
  live: string | undefined;
  state: number;
  reason: number;
  /** A power change under way: what the domain becomes, and when. */
  pending: NodeJS.Timeout | undefined;
}

interface Pool {
  name: string;
  uuid: Buffer;
  xml: string;
  path: string;
  active: boolean;
  volumes: Map<string, { capacity: bigint; xml: string }>;
}

const fail = (code: number, procedure: string, message: string): LibvirtError =>
  new LibvirtError({ code, domain: 0, message, level: 2 }, procedure);

/**
 * A host whose machines exist only in memory: each domain its XML definition, its power state
 * and lifecycle events; storage pools with volumes that have no files. Device changes edit the
 * stored XML as libvirt would; power changes complete after `powerDelayMs` (a start is
 * "starting up" meanwhile, a stop "shutting down"), as on a real server. Calls can be made to
 * fail once or wait until released (`scripted`), for tests of what a reconciler does then.
 */
export class SimulatedHypervisor extends EventEmitter implements Hypervisor {
  readonly uri = SIMULATED_URI;
  /** Failures and holds scripted by tests, met at the start of each call. */
  readonly scripted = new ScriptedCalls();
  private readonly domains = new Map<string, Domain>();
  /** The same domains by UUID (hex), so a lookup by UUID or a define's clash check is not a look through every one. */
  private readonly domainsByUuid = new Map<string, Domain>();
  private readonly pools = new Map<string, Pool>();
  private readonly eventListeners = new Set<(event: DomainEvent) => void>();
  private nextId = 1;

  constructor(private readonly options: SimulatedHypervisorOptions = {}) {
    super();
    for (const d of options.state?.domains ?? []) {
      const running = d.running;
      this.setDomain({
        name: d.name,
        uuid: uuidFromString(d.uuid),
        xml: d.xml,
        live: running ? (d.live ?? d.xml) : undefined,
        state: running ? DomainState.Running : DomainState.Shutoff,
        reason: 0,
        pending: undefined,
      });
    }
    for (const p of options.state?.pools ?? []) {
      this.pools.set(p.name, {
        name: p.name,
        uuid: uuidFromString(p.uuid),
        xml: p.xml,
        path: p.path,
        active: p.active,
        volumes: new Map(p.volumes.map((v) => [v.name, { capacity: BigInt(v.capacityBytes), xml: v.xml }])),
      });
    }
  }

  /** Everything it holds, in a form JSON keeps: a power change under way is taken as done. */
  snapshot(): SimulatedState {
    return {
      domains: [...this.domains.values()].map((d) => ({
        name: d.name,
        uuid: uuidToString(d.uuid),
        xml: d.xml,
        running: d.pending ? d.state === DomainState.Paused : d.live !== undefined,
        ...(d.live !== undefined && d.live !== d.xml && { live: d.live }),
      })),
      pools: [...this.pools.values()].map((p) => ({
        name: p.name,
        uuid: uuidToString(p.uuid),
        xml: p.xml,
        path: p.path,
        active: p.active,
        volumes: [...p.volumes].map(([name, v]) => ({ name, capacityBytes: Number(v.capacity), xml: v.xml })),
      })),
    };
  }

  private setDomain(d: Domain): void {
    this.domains.set(d.name, d);
    this.domainsByUuid.set(d.uuid.toString('hex'), d);
  }

  private changed(): void {
    this.options.onChange?.();
  }

  // --- domains ------------------------------------------------------------------------------

  private handle(d: Domain): DomainHandle {
    return { name: d.name, uuid: d.uuid, id: d.live !== undefined ? this.idOf(d) : -1 };
  }

  /** A running domain's id: stable while it runs, which is all callers rely on. */
  private readonly ids = new WeakMap<Domain, number>();
  private idOf(d: Domain): number {
    let id = this.ids.get(d);
    if (id === undefined) this.ids.set(d, (id = this.nextId++));
    return id;
  }

  private domain(handle: DomainHandle, procedure: string): Domain {
    const d = this.domains.get(handle.name);
    if (d?.uuid.equals(handle.uuid)) return d;
    throw fail(ErrorCode.NoDomain, procedure, `Domain not found: no domain with matching name '${handle.name}'`);
  }

  private running(d: Domain, procedure: string): void {
    if (d.live === undefined)
      throw fail(ErrorCode.OperationInvalid, procedure, 'Requested operation is not valid: domain is not running');
  }

  private announce(d: Domain, event: number, detail = 0): void {
    const e: DomainEvent = {
      kind: 'lifecycle',
      domain: this.handle(d),
      event,
      eventName: nameOf(LifecycleEvent, event),
      detail,
    };
    // As libvirt's events do: after the call that caused them has answered.
    setImmediate(() => {
      for (const listener of this.eventListeners) listener(e);
    });
  }

  async listAllDomains(): Promise<DomainHandle[]> {
    await this.scripted.meet('listAllDomains');
    return [...this.domains.values()].map((d) => this.handle(d));
  }

  async listAllDomainsWithState(): Promise<{ domain: DomainHandle; state: DomainStateInfo }[]> {
    await this.scripted.meet('listAllDomainsWithState');
    return [...this.domains.values()].map((d) => ({ domain: this.handle(d), state: this.stateOf(d) }));
  }

  async domainLookupByName(name: string): Promise<DomainHandle> {
    await this.scripted.meet('domainLookupByName');
    const d = this.domains.get(name);
    if (!d)
      throw fail(ErrorCode.NoDomain, 'DomainLookupByName', `Domain not found: no domain with matching name '${name}'`);
    return this.handle(d);
  }

  async domainLookupByUuid(uuid: Buffer): Promise<DomainHandle> {
    await this.scripted.meet('domainLookupByUuid');
    const d = this.domainsByUuid.get(uuid.toString('hex'));
    if (!d)
      throw fail(
        ErrorCode.NoDomain,
        'DomainLookupByUuid',
        `Domain not found: no domain with matching uuid '${uuidToString(uuid)}'`,
      );
    return this.handle(d);
  }

  async domainGetXml(handle: DomainHandle, flags = 0): Promise<string> {
    await this.scripted.meet('domainGetXml');
    const d = this.domain(handle, 'DomainGetXmlDesc');
    return flags & DomainXmlFlag.Inactive || d.live === undefined ? d.xml : d.live;
  }

  async domainDefineXml(xml: string): Promise<DomainHandle> {
    await this.scripted.meet('domainDefineXml');
    const { document, domain } = parseDomainDocument(xml);
    const name = childText(domain, 'name');
    if (!name) throw fail(ErrorCode.XmlError, 'DomainDefineXmlFlags', 'XML error: missing domain name');
    const given = childText(domain, 'uuid');
    let uuidText = given;
    const existing = this.domains.get(name);
    if (existing && uuidText && !existing.uuid.equals(uuidFromString(uuidText)))
      throw fail(
        ErrorCode.DomainExists,
        'DomainDefineXmlFlags',
        `domain '${name}' already exists with uuid ${uuidToString(existing.uuid)}`,
      );
    if (!uuidText) {
      uuidText = existing ? uuidToString(existing.uuid) : randomUUID();
      elementAt(domain, 'uuid')._ = uuidText;
    }
    const uuid = uuidFromString(uuidText);
    const same = this.domainsByUuid.get(uuid.toString('hex'));
    const clash = same && same.name !== name ? same : undefined;
    if (clash)
      throw fail(
        ErrorCode.DomainExists,
        'DomainDefineXmlFlags',
        `domain '${clash.name}' already exists with uuid ${uuidText}`,
      );
    const text = given ? xml : buildDomainDocument(document);
    const d: Domain = existing ?? {
      name,
      uuid,
      xml: text,
      live: undefined,
      state: DomainState.Shutoff,
      reason: 0,
      pending: undefined,
    };
    d.xml = text;
    this.setDomain(d);
    this.changed();
    this.announce(d, LifecycleEvent.Defined, existing ? 1 : 0);
    return this.handle(d);
  }

  async domainUndefine(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainUndefine');
    const d = this.domain(handle, 'DomainUndefineFlags');
    if (d.live !== undefined)
      throw fail(
        ErrorCode.OperationInvalid,
        'DomainUndefineFlags',
        'Requested operation is not valid: a simulated domain is stopped before it is undefined',
      );
    this.domains.delete(d.name);
    this.domainsByUuid.delete(d.uuid.toString('hex'));
    this.changed();
    this.announce(d, LifecycleEvent.Undefined);
  }

  /**
   * Moves the domain to `to` after the power delay (at once when there is none), passing
   * through `between` meanwhile. A later change replaces one under way.
   */
  private powerChange(d: Domain, between: { state: number; reason: number }, done: () => void): void {
    clearTimeout(d.pending);
    d.pending = undefined;
    const ms = this.options.powerDelayMs?.(d.name) ?? 0;
    if (ms <= 0) return done();
    d.state = between.state;
    d.reason = between.reason;
    d.pending = setTimeout(() => {
      d.pending = undefined;
      done();
    }, ms);
    d.pending.unref();
  }

  private started(d: Domain): void {
    d.state = DomainState.Running;
    d.reason = 1;
    this.changed();
    this.announce(d, LifecycleEvent.Started);
  }

  private stopped(d: Domain, detail: number): void {
    d.live = undefined;
    d.state = DomainState.Shutoff;
    d.reason = detail;
    this.ids.delete(d);
    this.changed();
    this.announce(d, LifecycleEvent.Stopped, detail);
  }

  async domainCreate(handle: DomainHandle): Promise<DomainHandle> {
    await this.scripted.meet('domainCreate');
    const d = this.domain(handle, 'DomainCreateWithFlags');
    if (d.live !== undefined)
      throw fail(
        ErrorCode.OperationInvalid,
        'DomainCreateWithFlags',
        'Requested operation is not valid: domain is already running',
      );
    d.live = d.xml;
    this.powerChange(d, { state: DomainState.Paused, reason: DomainPausedReason.StartingUp }, () => this.started(d));
    return this.handle(d);
  }

  async domainDestroy(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainDestroy');
    const d = this.domain(handle, 'DomainDestroyFlags');
    this.running(d, 'DomainDestroyFlags');
    // 1: VIR_DOMAIN_EVENT_STOPPED_DESTROYED; 0: SHUTDOWN.
    this.powerChange(d, { state: DomainState.Shutdown, reason: 0 }, () => this.stopped(d, 1));
  }

  async domainShutdown(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainShutdown');
    const d = this.domain(handle, 'DomainShutdownFlags');
    this.running(d, 'DomainShutdownFlags');
    this.announce(d, LifecycleEvent.Shutdown);
    this.powerChange(d, { state: DomainState.Shutdown, reason: 0 }, () => this.stopped(d, 0));
  }

  async domainReboot(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainReboot');
    this.rebooted(this.domain(handle, 'DomainReboot'), 'DomainReboot');
  }

  async domainReset(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainReset');
    this.rebooted(this.domain(handle, 'DomainReset'), 'DomainReset');
  }

  private rebooted(d: Domain, procedure: string): void {
    this.running(d, procedure);
    const e: DomainEvent = { kind: 'reboot', domain: this.handle(d) };
    setImmediate(() => {
      for (const listener of this.eventListeners) listener(e);
    });
  }

  async domainSuspend(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainSuspend');
    const d = this.domain(handle, 'DomainSuspend');
    this.running(d, 'DomainSuspend');
    d.state = DomainState.Paused;
    d.reason = 2;
    this.announce(d, LifecycleEvent.Suspended);
  }

  async domainResume(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainResume');
    const d = this.domain(handle, 'DomainResume');
    this.running(d, 'DomainResume');
    d.state = DomainState.Running;
    d.reason = 1;
    this.announce(d, LifecycleEvent.Resumed);
  }

  async domainInjectNmi(handle: DomainHandle): Promise<void> {
    await this.scripted.meet('domainInjectNmi');
    this.running(this.domain(handle, 'DomainInjectNmi'), 'DomainInjectNmi');
  }

  private stateOf(d: Domain): DomainStateInfo {
    return { state: d.state, stateName: nameOf(DomainState, d.state) as DomainStateName, reason: d.reason };
  }

  async domainGetState(handle: DomainHandle): Promise<DomainStateInfo> {
    await this.scripted.meet('domainGetState');
    return this.stateOf(this.domain(handle, 'DomainGetState'));
  }

  async domainIsActive(handle: DomainHandle): Promise<boolean> {
    await this.scripted.meet('domainIsActive');
    return this.domain(handle, 'DomainIsActive').live !== undefined;
  }

  async domainAttachDevice(handle: DomainHandle, xml: string, flags: number): Promise<void> {
    await this.scripted.meet('domainAttachDevice');
    this.editDevices(handle, xml, flags, 'DomainAttachDeviceFlags', (list, device, index) => {
      if (index >= 0) throw new Error(`${describeDevice(device)} already exists`);
      list.push(device);
    });
  }

  async domainDetachDevice(handle: DomainHandle, xml: string, flags: number): Promise<void> {
    await this.scripted.meet('domainDetachDevice');
    this.editDevices(handle, xml, flags, 'DomainDetachDeviceFlags', (list, device, index) => {
      if (index < 0) throw new Error(`device not found: ${describeDevice(device)}`);
      list.splice(index, 1);
    });
  }

  async domainUpdateDevice(handle: DomainHandle, xml: string, flags: number): Promise<void> {
    await this.scripted.meet('domainUpdateDevice');
    this.editDevices(handle, xml, flags, 'DomainUpdateDeviceFlags', (list, device, index) => {
      if (index < 0) throw new Error(`device not found: ${describeDevice(device)}`);
      list[index] = device;
    });
  }

  /**
   * Applies an edit of the device list to the definition (Config), the running machine (Live),
   * or whichever is current (neither flag), as libvirt does: a live change to a domain that is
   * not running is refused, and nothing is changed when either half fails.
   */
  private editDevices(
    handle: DomainHandle,
    deviceXml: string,
    flags: number,
    procedure: string,
    edit: (list: XmlNode[], device: XmlNode, index: number) => void,
  ): void {
    const d = this.domain(handle, procedure);
    const parsed = parseXml(deviceXml);
    const kind = Object.keys(parsed)[0]!;
    const device = parsed[kind] as XmlNode;
    const config = (flags & DeviceModifyFlag.Config) !== 0 || (flags === 0 && d.live === undefined);
    const live = (flags & DeviceModifyFlag.Live) !== 0 || (flags === 0 && d.live !== undefined);
    if (live && d.live === undefined)
      throw fail(ErrorCode.OperationInvalid, procedure, 'Requested operation is not valid: domain is not running');
    const apply = (xml: string): string => {
      const document = parseDomainDocument(xml);
      const devices = elementAt(document.domain, 'devices');
      const list = (Array.isArray(devices[kind]) ? devices[kind] : []) as XmlNode[];
      try {
        edit(
          list,
          device,
          list.findIndex((other) => sameDevice(kind, other, device)),
        );
      } catch (err) {
        throw fail(ErrorCode.OperationFailed, procedure, `operation failed: ${(err as Error).message}`);
      }
      devices[kind] = list;
      return buildDomainDocument(document.document);
    };
    const nextConfig = config ? apply(d.xml) : d.xml;
    const nextLive = live && d.live !== undefined ? apply(d.live) : d.live;
    d.xml = nextConfig;
    d.live = nextLive;
    this.changed();
  }

  // --- storage ------------------------------------------------------------------------------

  private pool(handle: PoolHandle, procedure: string): Pool {
    const p = this.pools.get(handle.name);
    if (!p)
      throw fail(
        ErrorCode.NoStoragePool,
        procedure,
        `Storage pool not found: no storage pool with matching name '${handle.name}'`,
      );
    return p;
  }

  private activePool(handle: PoolHandle, procedure: string): Pool {
    const p = this.pool(handle, procedure);
    if (!p.active)
      throw fail(
        ErrorCode.OperationInvalid,
        procedure,
        `Requested operation is not valid: storage pool '${p.name}' is not active`,
      );
    return p;
  }

  async listAllStoragePools(): Promise<PoolHandle[]> {
    await this.scripted.meet('listAllStoragePools');
    return [...this.pools.values()].map((p) => ({ name: p.name, uuid: p.uuid }));
  }

  async poolLookupByName(name: string): Promise<PoolHandle> {
    await this.scripted.meet('poolLookupByName');
    const p = this.pool({ name, uuid: Buffer.alloc(16) }, 'StoragePoolLookupByName');
    return { name: p.name, uuid: p.uuid };
  }

  async poolDefineXml(xml: string): Promise<PoolHandle> {
    await this.scripted.meet('poolDefineXml');
    const description = readPoolXml(xml);
    const existing = this.pools.get(description.name);
    const p: Pool = existing ?? {
      name: description.name,
      uuid: uuidFromString(description.uuid ?? randomUUID()),
      xml,
      path: description.path ?? `/simulated/${description.name}`,
      active: false,
      volumes: new Map(),
    };
    p.xml = xml;
    this.pools.set(p.name, p);
    this.changed();
    return { name: p.name, uuid: p.uuid };
  }

  async poolBuild(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolBuild');
    this.pool(handle, 'StoragePoolBuild');
  }

  async poolCreate(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolCreate');
    this.pool(handle, 'StoragePoolCreate').active = true;
    this.changed();
  }

  async poolDestroy(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolDestroy');
    this.pool(handle, 'StoragePoolDestroy').active = false;
    this.changed();
  }

  async poolUndefine(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolUndefine');
    this.pools.delete(this.pool(handle, 'StoragePoolUndefine').name);
    this.changed();
  }

  async poolRefresh(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolRefresh');
    this.activePool(handle, 'StoragePoolRefresh');
  }

  async poolSetAutostart(handle: PoolHandle): Promise<void> {
    await this.scripted.meet('poolSetAutostart');
    this.pool(handle, 'StoragePoolSetAutostart');
  }

  async poolGetInfo(handle: PoolHandle): Promise<PoolInfo> {
    await this.scripted.meet('poolGetInfo');
    const p = this.pool(handle, 'StoragePoolGetInfo');
    const allocation = 0n;
    return {
      state: p.active ? StoragePoolState.Running : StoragePoolState.Inactive,
      capacity: 1n << 50n,
      allocation,
      available: (1n << 50n) - allocation,
    };
  }

  async poolGetXml(handle: PoolHandle): Promise<string> {
    await this.scripted.meet('poolGetXml');
    return this.pool(handle, 'StoragePoolGetXmlDesc').xml;
  }

  async poolListVolumes(handle: PoolHandle): Promise<VolumeHandle[]> {
    await this.scripted.meet('poolListVolumes');
    const p = this.activePool(handle, 'StoragePoolListAllVolumes');
    return [...p.volumes.keys()].map((name) => volumeHandle(p, name));
  }

  async volumeCreateXml(handle: PoolHandle, xml: string): Promise<VolumeHandle> {
    await this.scripted.meet('volumeCreateXml');
    const p = this.activePool(handle, 'StorageVolCreateXml');
    const { name, capacityBytes } = readVolumeXml(xml);
    if (p.volumes.has(name))
      throw fail(ErrorCode.StorageVolumeExists, 'StorageVolCreateXml', `storage volume '${name}' exists already`);
    p.volumes.set(name, { capacity: BigInt(capacityBytes), xml });
    this.changed();
    return volumeHandle(p, name);
  }

  private volume(handle: VolumeHandle, procedure: string): { pool: Pool; capacity: bigint } {
    const p = this.pools.get(handle.pool);
    const v = p?.volumes.get(handle.name);
    if (!p || !v)
      throw fail(
        ErrorCode.NoStorageVolume,
        procedure,
        `Storage volume not found: no storage vol with matching name '${handle.name}'`,
      );
    return { pool: p, capacity: v.capacity };
  }

  async volumeDelete(handle: VolumeHandle): Promise<void> {
    await this.scripted.meet('volumeDelete');
    this.volume(handle, 'StorageVolDelete').pool.volumes.delete(handle.name);
    this.changed();
  }

  async volumeLookupByName(handle: PoolHandle, name: string): Promise<VolumeHandle> {
    await this.scripted.meet('volumeLookupByName');
    const p = this.activePool(handle, 'StorageVolLookupByName');
    if (!p.volumes.has(name))
      throw fail(
        ErrorCode.NoStorageVolume,
        'StorageVolLookupByName',
        `Storage volume not found: no storage vol with matching name '${name}'`,
      );
    return volumeHandle(p, name);
  }

  async volumeLookupByPath(path: string): Promise<VolumeHandle> {
    await this.scripted.meet('volumeLookupByPath');
    for (const p of this.pools.values()) {
      const name = path.startsWith(`${p.path}/`) ? path.slice(p.path.length + 1) : undefined;
      if (name !== undefined && p.volumes.has(name)) return volumeHandle(p, name);
    }
    throw fail(
      ErrorCode.NoStorageVolume,
      'StorageVolLookupByPath',
      `Storage volume not found: no storage vol with matching path '${path}'`,
    );
  }

  async volumeGetInfo(handle: VolumeHandle): Promise<VolumeInfo> {
    await this.scripted.meet('volumeGetInfo');
    const { capacity } = this.volume(handle, 'StorageVolGetInfo');
    return { type: StorageVolType.File, capacity, allocation: 0n };
  }

  async volumeGetPath(handle: VolumeHandle): Promise<string> {
    await this.scripted.meet('volumeGetPath');
    this.volume(handle, 'StorageVolGetPath');
    return handle.key;
  }

  // --- events and the connection ------------------------------------------------------------

  async onDomainEvent(listener: (event: DomainEvent) => void): Promise<() => Promise<void>> {
    this.eventListeners.add(listener);
    return async () => {
      this.eventListeners.delete(listener);
    };
  }

  /** Power changes under way are cut short; what they were to do is not done. */
  async close(): Promise<void> {
    for (const d of this.domains.values()) clearTimeout(d.pending);
    this.eventListeners.clear();
  }
}

const volumeHandle = (p: Pool, name: string): VolumeHandle => ({ pool: p.name, name, key: `${p.path}/${name}` });

/** Whether two devices of one kind are the same device, as libvirt matches them for a detach or update. */
function sameDevice(kind: string, a: XmlNode, b: XmlNode): boolean {
  switch (kind) {
    case 'disk':
      return attr(child(a, 'target'), 'dev') === attr(child(b, 'target'), 'dev');
    case 'controller':
      return attr(a, 'type') === attr(b, 'type') && (attr(a, 'index') ?? '0') === (attr(b, 'index') ?? '0');
    case 'interface':
      return attr(child(a, 'mac'), 'address') === attr(child(b, 'mac'), 'address');
    default:
      return JSON.stringify(a) === JSON.stringify(b);
  }
}

function describeDevice(device: XmlNode): string {
  const target = attr(child(device, 'target'), 'dev');
  return target ? `target ${target}` : `device ${JSON.stringify(device.$ ?? {})}`;
}
