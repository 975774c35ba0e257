import { EventEmitter } from 'node:events';
import {
  AuthType,
  ConnectFlag,
  DomainEventId,
  FEATURE_PROGRAM_KEEPALIVE,
  LifecycleEvent,
  Limits,
  Procedure,
  procedureName,
  nameOf,
  type LifecycleEventName,
} from './constants.js';
import { LibvirtConnectionError, LibvirtTimeoutError } from './errors.js';
import type { Frame } from './frame.js';
import { RpcConnection } from './rpc-connection.js';
import { readDomain, writeDomain, type DomainHandle } from './structs.js';
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

export type DomainEvent =
  | {
      readonly kind: 'lifecycle';
      readonly domain: DomainHandle;
      readonly event: number;
      readonly eventName: LifecycleEventName | 'Unknown';
      readonly detail: number;
    }
  | { readonly kind: 'reboot'; readonly domain: DomainHandle };

export type Write = (w: XdrWriter) => unknown;
export type Read<T> = (r: XdrReader) => T;

/**
 * A libvirt connection for one URI, speaking libvirt's RPC protocol: typed procedures, domain
 * events, keepalive, and reconnection with back-off. Emits 'disconnected' (error) when the
 * daemon goes away and 'reconnected' when it is back, after event callbacks are registered
 * again; events that happened in between are lost, so observers should resynchronise then.
 */
export class LibvirtConnection extends EventEmitter {
  private connection: RpcConnection | undefined;
  private connecting: Promise<RpcConnection> | undefined;
  private closedByUser = false;
  private readonly eventListeners = new Set<(event: DomainEvent) => void>();
  /** callbackID (from the daemon) → event id, for the current connection. */
  private callbacks = new Map<number, number>();
  private readonly callTimeoutMs: number;

  private readonly parsed: ParsedUri;

  protected constructor(
    readonly uri: string,
    private readonly options: LibvirtClientOptions,
  ) {
    super();
    this.parsed = parseLibvirtUri(uri, { readOnly: options.readOnly });
    this.callTimeoutMs = options.callTimeoutMs ?? 30_000;
  }

  /** Opens the connection; fails at once, with a clear message, if the daemon is not reachable. */
  protected async start(): Promise<void> {
    this.connecting = this.open();
    this.connection = await this.connecting;
    this.connecting = undefined;
  }

  /** Opens a socket and runs the handshake: AUTH_LIST (always first), CONNECT_OPEN, keepalive. */
  private async open(): Promise<RpcConnection> {
    const transport = await openTransport(this.parsed.endpoint, this.parsed.openName);
    const connection = new RpcConnection(transport, {
      onEvent: (frame) => this.handleEvent(frame),
      onClose: (error) => this.handleClose(connection, error),
    });
    try {
      const raw = (procedure: number, write?: Write) =>
        connection.call(procedure, write && encode(write), this.callTimeoutMs);
      const auth = new XdrReader(await raw(Procedure.AuthList)).array(Limits.authTypes, (r) => r.int());
      if (!auth.includes(AuthType.None)) {
        if (!auth.includes(AuthType.Polkit)) {
          throw new LibvirtConnectionError(
            `${transport.description} requires SASL authentication, which this client does not speak; connect as root over the unix socket, or use TLS`,
          );
        }
        await raw(Procedure.AuthPolkit);
      }
      await raw(Procedure.ConnectOpen, (w) => {
        w.optional(this.parsed.openName, (x, name) => x.string(name, Limits.string));
        w.uint(this.parsed.readOnly ? ConnectFlag.ReadOnly : 0);
      });
      const keepalive = new XdrReader(
        await raw(Procedure.ConnectSupportsFeature, (w) => w.int(FEATURE_PROGRAM_KEEPALIVE)),
      ).int();
      if (keepalive === 1)
        connection.startKeepalive(this.options.keepaliveIntervalMs ?? 5000, this.options.keepaliveMaxUnanswered ?? 6);
      this.callbacks = new Map();
      if (this.eventListeners.size > 0) await this.registerEvents(connection);
      return connection;
    } catch (err) {
      connection.close();
      if (err instanceof LibvirtConnectionError) throw err;
      throw new LibvirtConnectionError(`opening ${this.uri} on ${transport.description}: ${(err as Error).message}`, {
        cause: err,
      });
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

  /** Calls a REMOTE procedure: its arguments written by `write`, its reply read by `read`. */
  protected async invoke<T>(procedure: number, write?: Write, read?: Read<T>): Promise<T> {
    const connection = await this.live(procedureName(procedure));
    const payload = await connection.call(procedure, write && encode(write), this.callTimeoutMs);
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
      await connection.call(Procedure.ConnectClose, undefined, 5000);
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
        await connection.call(
          Procedure.ConnectDomainEventCallbackDeregisterAny,
          encode((w) => w.int(callbackId)),
          this.callTimeoutMs,
        );
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
      const reply = await connection.call(Procedure.ConnectDomainEventCallbackRegisterAny, args, this.callTimeoutMs);
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
}

function encode(write: Write): Buffer {
  const writer = new XdrWriter();
  write(writer);
  return writer.bytes();
}
