import { EventEmitter } from 'node:events';
import {
  AuthType,
  ConnectFlag,
  DomainEventId,
  DomainState,
  FEATURE_PROGRAM_KEEPALIVE,
  LifecycleEvent,
  Limits,
  Procedure,
  type DomainStateName,
  type LifecycleEventName,
} from './constants.js';
import { LibvirtConnectionError, LibvirtTimeoutError } from './errors.js';
import type { Frame } from './frame.js';
import { RpcConnection } from './rpc-connection.js';
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
import { openTransport } from './transport.js';
import { parseLibvirtUri, type ParsedUri } from './uri.js';
import { XdrReader, XdrWriter } from './xdr.js';

export interface LibvirtClientOptions {
  /** Open read-only (the daemon's -ro socket, VIR_CONNECT_RO). */
  readonly readOnly?: boolean;
  /** Time limit of each call, including any wait for a reconnect. Default 30 s. */
  readonly callTimeoutMs?: number;
  /** Keepalive ping interval and how many may go unanswered. Default 5 s and 6. */
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveMaxUnanswered?: number;
  /** Reconnect after the connection drops, with back-off from 100 ms up to this. Default 5 s. */
  readonly reconnect?: boolean;
  readonly maxBackoffMs?: number;
}

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

export type DomainEvent =
  | { readonly kind: 'lifecycle'; readonly domain: DomainHandle; readonly event: number; readonly eventName: LifecycleEventName | 'Unknown'; readonly detail: number }
  | { readonly kind: 'reboot'; readonly domain: DomainHandle };

type Write = (w: XdrWriter) => unknown;
type Read<T> = (r: XdrReader) => T;

const str = (w: XdrWriter, value: string) => w.string(value, Limits.string);
const readStr = (r: XdrReader) => r.string(Limits.string);
const nameOf = <T extends Record<string, number>>(table: T, value: number) =>
  (Object.keys(table).find((k) => table[k] === value) ?? 'Unknown') as keyof T | 'Unknown';

/**
 * A libvirt connection for one URI, speaking libvirt's RPC protocol: typed procedures, domain
 * events, keepalive, and reconnection with back-off. Emits 'disconnected' (error) when the
 * daemon goes away and 'reconnected' when it is back, after event callbacks are registered
 * again; events that happened in between are lost, so observers should resynchronise then.
 */
export class LibvirtClient extends EventEmitter {
  private connection: RpcConnection | undefined;
  private connecting: Promise<RpcConnection> | undefined;
  private closedByUser = false;
  private readonly eventListeners = new Set<(event: DomainEvent) => void>();
  /** callbackID (from the daemon) → event id, for the current connection. */
  private callbacks = new Map<number, number>();
  private readonly callTimeoutMs: number;

  private constructor(
    readonly uri: string,
    private readonly parsed: ParsedUri,
    private readonly options: LibvirtClientOptions,
  ) {
    super();
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
  }

  /** Connects and opens `uri`; fails at once, with a clear message, if the daemon is not reachable. */
  static async connect(uri: string, options: LibvirtClientOptions = {}): Promise<LibvirtClient> {
    const client = new LibvirtClient(uri, parseLibvirtUri(uri, { readOnly: options.readOnly }), options);
    client.connecting = client.open();
    client.connection = await client.connecting;
    client.connecting = undefined;
    return client;
  }

  /** Opens a socket and runs the handshake: AUTH_LIST (always first), CONNECT_OPEN, keepalive. */
  private async open(): Promise<RpcConnection> {
    const transport = await openTransport(this.parsed.endpoint, this.parsed.openName);
    const connection = new RpcConnection(transport, {
      onEvent: (frame) => this.handleEvent(frame),
      onClose: (error) => this.handleClose(connection, error),
    });
    try {
      const raw = (proc: number, name: string, write?: Write) => connection.call(proc, name, write && encode(write), this.callTimeoutMs);
      const auth = new XdrReader(await raw(Procedure.AuthList, 'AUTH_LIST')).array(Limits.authTypes, (r) => r.int());
      if (!auth.includes(AuthType.None)) {
        if (!auth.includes(AuthType.Polkit)) {
          throw new LibvirtConnectionError(`${transport.description} requires SASL authentication, which this client does not speak; connect as root over the unix socket, or use TLS`);
        }
        await raw(Procedure.AuthPolkit, 'AUTH_POLKIT');
      }
      await raw(Procedure.ConnectOpen, 'CONNECT_OPEN', (w) => {
        w.optional(this.parsed.openName, str);
        w.uint(this.parsed.readOnly ? ConnectFlag.ReadOnly : 0);
      });
      const keepalive = new XdrReader(await raw(Procedure.ConnectSupportsFeature, 'CONNECT_SUPPORTS_FEATURE', (w) => w.int(FEATURE_PROGRAM_KEEPALIVE))).int();
      if (keepalive === 1) connection.startKeepalive(this.options.keepaliveIntervalMs ?? 5000, this.options.keepaliveMaxUnanswered ?? 6);
      this.callbacks = new Map();
      if (this.eventListeners.size > 0) await this.registerEvents(connection);
      return connection;
    } catch (err) {
      connection.close();
      if (err instanceof LibvirtConnectionError) throw err;
      throw new LibvirtConnectionError(`opening ${this.uri} on ${transport.description}: ${(err as Error).message}`, { cause: err });
    }
  }

  private handleClose(connection: RpcConnection, error?: Error): void {
    if (this.connection !== connection) return;
    this.connection = undefined;
    if (this.closedByUser) return;
    this.emit('disconnected', error);
    if (this.options.reconnect === false) return;
    this.connecting = this.reconnect();
    this.connecting.catch(() => undefined);
  }

  private async reconnect(): Promise<RpcConnection> {
    let delay = 100;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.closedByUser) throw new LibvirtConnectionError(`the client for ${this.uri} was closed`);
      try {
        const connection = await this.open();
        this.connection = connection;
        this.connecting = undefined;
        this.emit('reconnected');
        return connection;
      } catch (err) {
        this.emit('reconnectFailed', err);
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5000);
      }
    }
  }

  /** The open connection, waiting for a reconnect in progress up to the call's time limit. */
  private async live(name: string): Promise<RpcConnection> {
    if (this.connection?.isOpen) return this.connection;
    if (this.closedByUser) throw new LibvirtConnectionError(`${name}: the client for ${this.uri} is closed`);
    if (!this.connecting) throw new LibvirtConnectionError(`${name}: not connected to ${this.uri}`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LibvirtTimeoutError(name, this.callTimeoutMs)), this.callTimeoutMs);
    });
    try {
      return await Promise.race([this.connecting, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async invoke<T>(procedure: number, name: string, write?: Write, read?: Read<T>): Promise<T> {
    const connection = await this.live(name);
    const payload = await connection.call(procedure, name, write && encode(write), this.callTimeoutMs);
    const reader = new XdrReader(payload);
    const result = read ? read(reader) : (undefined as T);
    reader.end();
    return result;
  }

  get connected(): boolean {
    return this.connection?.isOpen ?? false;
  }

  /** CONNECT_CLOSE, then the socket. */
  async close(): Promise<void> {
    if (this.closedByUser) return;
    this.closedByUser = true;
    const connection = this.connection;
    if (!connection?.isOpen) return;
    try {
      await connection.call(Procedure.ConnectClose, 'CONNECT_CLOSE', undefined, 5000);
    } catch {
      // closing anyway
    }
    connection.close();
  }

  // --- events -------------------------------------------------------------------------------

  /**
   * Receives lifecycle and reboot events of every domain. Registration with the daemon happens
   * on the first listener and again after every reconnect. Returns the function that stops.
   */
  async onDomainEvent(listener: (event: DomainEvent) => void): Promise<() => Promise<void>> {
    this.eventListeners.add(listener);
    if (this.eventListeners.size === 1 && this.connection?.isOpen) await this.registerEvents(this.connection);
    return async () => {
      this.eventListeners.delete(listener);
      if (this.eventListeners.size > 0 || !this.connection?.isOpen) return;
      const connection = this.connection;
      for (const callbackId of this.callbacks.keys()) {
        await connection.call(Procedure.ConnectDomainEventCallbackDeregisterAny, 'DEREGISTER_ANY', encode((w) => w.int(callbackId)), this.callTimeoutMs);
      }
      this.callbacks.clear();
    };
  }

  private async registerEvents(connection: RpcConnection): Promise<void> {
    for (const eventId of [DomainEventId.Lifecycle, DomainEventId.Reboot]) {
      const args = encode((w) => {
        w.int(eventId);
        w.optional<DomainHandle>(undefined, writeDomain);
      });
      const reply = await connection.call(Procedure.ConnectDomainEventCallbackRegisterAny, 'REGISTER_ANY', args, this.callTimeoutMs);
      this.callbacks.set(new XdrReader(reply).int(), eventId);
    }
  }

  private handleEvent(frame: Frame): void {
    const reader = new XdrReader(frame.payload);
    let event: DomainEvent;
    if (frame.header.procedure === Procedure.DomainEventCallbackLifecycle) {
      reader.int();
      const domain = readDomain(reader);
      const code = reader.int();
      const detail = reader.int();
      event = { kind: 'lifecycle', domain, event: code, eventName: nameOf(LifecycleEvent, code), detail };
    } else if (frame.header.procedure === Procedure.DomainEventCallbackReboot) {
      reader.int();
      event = { kind: 'reboot', domain: readDomain(reader) };
    } else {
      return;
    }
    reader.end();
    for (const listener of this.eventListeners) listener(event);
  }

  // --- connection ---------------------------------------------------------------------------

  /** libvirt's version as major·1,000,000 + minor·1,000 + micro. */
  libVersion(): Promise<bigint> {
    return this.invoke(Procedure.ConnectGetLibVersion, 'CONNECT_GET_LIB_VERSION', undefined, (r) => r.uhyper());
  }

  hypervisorVersion(): Promise<bigint> {
    return this.invoke(Procedure.ConnectGetVersion, 'CONNECT_GET_VERSION', undefined, (r) => r.uhyper());
  }

  hostname(): Promise<string> {
    return this.invoke(Procedure.ConnectGetHostname, 'CONNECT_GET_HOSTNAME', undefined, readStr);
  }

  nodeInfo(): Promise<NodeInfo> {
    return this.invoke(Procedure.NodeGetInfo, 'NODE_GET_INFO', undefined, (r) => {
      const model = Buffer.from(r.fixedArray(Limits.nodeModelChars, (x) => x.int())).toString('latin1').replace(/\0.*$/s, '');
      return { model, memoryKiB: r.uhyper(), cpus: r.int(), mhz: r.int(), nodes: r.int(), sockets: r.int(), cores: r.int(), threads: r.int() };
    });
  }

  // --- domains ------------------------------------------------------------------------------

  listAllDomains(flags = 0): Promise<DomainHandle[]> {
    return this.invoke(
      Procedure.ConnectListAllDomains,
      'CONNECT_LIST_ALL_DOMAINS',
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
    return this.invoke(Procedure.DomainLookupByName, 'DOMAIN_LOOKUP_BY_NAME', (w) => str(w, name), readDomain);
  }

  domainLookupByUuid(uuid: Buffer): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainLookupByUuid, 'DOMAIN_LOOKUP_BY_UUID', (w) => writeUuid(w, uuid), readDomain);
  }

  domainGetXml(domain: DomainHandle, flags = 0): Promise<string> {
    return this.invoke(Procedure.DomainGetXmlDesc, 'DOMAIN_GET_XML_DESC', (w) => (writeDomain(w, domain), w.uint(flags)), readStr);
  }

  domainDefineXml(xml: string, flags = 0): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainDefineXmlFlags, 'DOMAIN_DEFINE_XML_FLAGS', (w) => str(w, xml).uint(flags), readDomain);
  }

  domainUndefine(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainUndefineFlags, 'DOMAIN_UNDEFINE_FLAGS', (w) => (writeDomain(w, domain), w.uint(flags)));
  }

  /** Starts the domain; returns its handle with the new running id. */
  domainCreate(domain: DomainHandle, flags = 0): Promise<DomainHandle> {
    return this.invoke(Procedure.DomainCreateWithFlags, 'DOMAIN_CREATE_WITH_FLAGS', (w) => (writeDomain(w, domain), w.uint(flags)), readDomain);
  }

  domainDestroy(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainDestroyFlags, 'DOMAIN_DESTROY_FLAGS', (w) => (writeDomain(w, domain), w.uint(flags)));
  }

  /** Asks the guest to shut down (ACPI by default); returns once the request is sent. */
  domainShutdown(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainShutdownFlags, 'DOMAIN_SHUTDOWN_FLAGS', (w) => (writeDomain(w, domain), w.uint(flags)));
  }

  domainReboot(domain: DomainHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.DomainReboot, 'DOMAIN_REBOOT', (w) => (writeDomain(w, domain), w.uint(flags)));
  }

  /** A hard reset, like the reset button. */
  domainReset(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainReset, 'DOMAIN_RESET', (w) => (writeDomain(w, domain), w.uint(0)));
  }

  domainSuspend(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainSuspend, 'DOMAIN_SUSPEND', (w) => writeDomain(w, domain));
  }

  domainResume(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainResume, 'DOMAIN_RESUME', (w) => writeDomain(w, domain));
  }

  domainInjectNmi(domain: DomainHandle): Promise<void> {
    return this.invoke(Procedure.DomainInjectNmi, 'DOMAIN_INJECT_NMI', (w) => (writeDomain(w, domain), w.uint(0)));
  }

  domainGetState(domain: DomainHandle): Promise<DomainStateInfo> {
    return this.invoke(Procedure.DomainGetState, 'DOMAIN_GET_STATE', (w) => (writeDomain(w, domain), w.uint(0)), (r) => {
      const state = r.int();
      return { state, stateName: nameOf(DomainState, state) as DomainStateName, reason: r.int() };
    });
  }

  domainGetInfo(domain: DomainHandle): Promise<DomainInfo> {
    return this.invoke(Procedure.DomainGetInfo, 'DOMAIN_GET_INFO', (w) => writeDomain(w, domain), (r) => ({
      state: r.int(),
      maxMemoryKiB: r.uhyper(),
      memoryKiB: r.uhyper(),
      vcpus: r.int(),
      cpuTimeNs: r.uhyper(),
    }));
  }

  domainIsActive(domain: DomainHandle): Promise<boolean> {
    return this.invoke(Procedure.DomainIsActive, 'DOMAIN_IS_ACTIVE', (w) => writeDomain(w, domain), (r) => r.int() === 1);
  }

  domainSetAutostart(domain: DomainHandle, autostart: boolean): Promise<void> {
    return this.invoke(Procedure.DomainSetAutostart, 'DOMAIN_SET_AUTOSTART', (w) => (writeDomain(w, domain), w.int(autostart ? 1 : 0)));
  }

  /** flags: DeviceModifyFlag.Live and/or .Config. */
  domainAttachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainAttachDeviceFlags, 'DOMAIN_ATTACH_DEVICE_FLAGS', (w) => (writeDomain(w, domain), str(w, xml), w.uint(flags)));
  }

  domainDetachDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainDetachDeviceFlags, 'DOMAIN_DETACH_DEVICE_FLAGS', (w) => (writeDomain(w, domain), str(w, xml), w.uint(flags)));
  }

  domainUpdateDevice(domain: DomainHandle, xml: string, flags: number): Promise<void> {
    return this.invoke(Procedure.DomainUpdateDeviceFlags, 'DOMAIN_UPDATE_DEVICE_FLAGS', (w) => (writeDomain(w, domain), str(w, xml), w.uint(flags)));
  }

  // --- storage pools ------------------------------------------------------------------------

  listAllStoragePools(flags = 0): Promise<PoolHandle[]> {
    return this.invoke(
      Procedure.ConnectListAllStoragePools,
      'CONNECT_LIST_ALL_STORAGE_POOLS',
      (w) => w.int(1).uint(flags),
      (r) => {
        const pools = r.array(Limits.listItems, readPool);
        r.uint();
        return pools;
      },
    );
  }

  poolLookupByName(name: string): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByName, 'STORAGE_POOL_LOOKUP_BY_NAME', (w) => str(w, name), readPool);
  }

  poolLookupByUuid(uuid: Buffer): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByUuid, 'STORAGE_POOL_LOOKUP_BY_UUID', (w) => writeUuid(w, uuid), readPool);
  }

  poolLookupByVolume(volume: VolumeHandle): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolLookupByVolume, 'STORAGE_POOL_LOOKUP_BY_VOLUME', (w) => writeVolume(w, volume), readPool);
  }

  poolDefineXml(xml: string): Promise<PoolHandle> {
    return this.invoke(Procedure.StoragePoolDefineXml, 'STORAGE_POOL_DEFINE_XML', (w) => str(w, xml).uint(0), readPool);
  }

  poolBuild(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolBuild, 'STORAGE_POOL_BUILD', (w) => (writePool(w, pool), w.uint(flags)));
  }

  /** Starts (activates) the pool. */
  poolCreate(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolCreate, 'STORAGE_POOL_CREATE', (w) => (writePool(w, pool), w.uint(flags)));
  }

  /** Stops the pool; its volumes stay on disk. */
  poolDestroy(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolDestroy, 'STORAGE_POOL_DESTROY', (w) => writePool(w, pool));
  }

  /** Removes the pool's target directory (which must be empty). */
  poolDelete(pool: PoolHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StoragePoolDelete, 'STORAGE_POOL_DELETE', (w) => (writePool(w, pool), w.uint(flags)));
  }

  poolUndefine(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolUndefine, 'STORAGE_POOL_UNDEFINE', (w) => writePool(w, pool));
  }

  poolRefresh(pool: PoolHandle): Promise<void> {
    return this.invoke(Procedure.StoragePoolRefresh, 'STORAGE_POOL_REFRESH', (w) => (writePool(w, pool), w.uint(0)));
  }

  poolSetAutostart(pool: PoolHandle, autostart: boolean): Promise<void> {
    return this.invoke(Procedure.StoragePoolSetAutostart, 'STORAGE_POOL_SET_AUTOSTART', (w) => (writePool(w, pool), w.int(autostart ? 1 : 0)));
  }

  poolGetInfo(pool: PoolHandle): Promise<PoolInfo> {
    return this.invoke(Procedure.StoragePoolGetInfo, 'STORAGE_POOL_GET_INFO', (w) => writePool(w, pool), (r) => ({
      state: r.int(),
      capacity: r.uhyper(),
      allocation: r.uhyper(),
      available: r.uhyper(),
    }));
  }

  poolGetXml(pool: PoolHandle, flags = 0): Promise<string> {
    return this.invoke(Procedure.StoragePoolGetXmlDesc, 'STORAGE_POOL_GET_XML_DESC', (w) => (writePool(w, pool), w.uint(flags)), readStr);
  }

  poolListVolumes(pool: PoolHandle): Promise<VolumeHandle[]> {
    return this.invoke(
      Procedure.StoragePoolListAllVolumes,
      'STORAGE_POOL_LIST_ALL_VOLUMES',
      (w) => (writePool(w, pool), w.int(1).uint(0)),
      (r) => {
        const volumes = r.array(Limits.listItems, readVolume);
        r.uint();
        return volumes;
      },
    );
  }

  // --- storage volumes ----------------------------------------------------------------------

  volumeCreateXml(pool: PoolHandle, xml: string, flags = 0): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolCreateXml, 'STORAGE_VOL_CREATE_XML', (w) => (writePool(w, pool), str(w, xml), w.uint(flags)), readVolume);
  }

  volumeDelete(volume: VolumeHandle, flags = 0): Promise<void> {
    return this.invoke(Procedure.StorageVolDelete, 'STORAGE_VOL_DELETE', (w) => (writeVolume(w, volume), w.uint(flags)));
  }

  volumeLookupByName(pool: PoolHandle, name: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByName, 'STORAGE_VOL_LOOKUP_BY_NAME', (w) => (writePool(w, pool), str(w, name)), readVolume);
  }

  volumeLookupByKey(key: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByKey, 'STORAGE_VOL_LOOKUP_BY_KEY', (w) => str(w, key), readVolume);
  }

  volumeLookupByPath(path: string): Promise<VolumeHandle> {
    return this.invoke(Procedure.StorageVolLookupByPath, 'STORAGE_VOL_LOOKUP_BY_PATH', (w) => str(w, path), readVolume);
  }

  volumeGetInfo(volume: VolumeHandle): Promise<VolumeInfo> {
    return this.invoke(Procedure.StorageVolGetInfo, 'STORAGE_VOL_GET_INFO', (w) => writeVolume(w, volume), (r) => ({
      type: r.int(),
      capacity: r.uhyper(),
      allocation: r.uhyper(),
    }));
  }

  volumeGetXml(volume: VolumeHandle): Promise<string> {
    return this.invoke(Procedure.StorageVolGetXmlDesc, 'STORAGE_VOL_GET_XML_DESC', (w) => (writeVolume(w, volume), w.uint(0)), readStr);
  }

  volumeGetPath(volume: VolumeHandle): Promise<string> {
    return this.invoke(Procedure.StorageVolGetPath, 'STORAGE_VOL_GET_PATH', (w) => writeVolume(w, volume), readStr);
  }

  volumeResize(volume: VolumeHandle, capacityBytes: bigint, flags = 0): Promise<void> {
    return this.invoke(Procedure.StorageVolResize, 'STORAGE_VOL_RESIZE', (w) => (writeVolume(w, volume), w.uhyper(capacityBytes), w.uint(flags)));
  }
}

function encode(write: Write): Buffer {
  const writer = new XdrWriter();
  write(writer);
  return writer.bytes();
}
