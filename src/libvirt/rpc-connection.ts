import {
  procedureName,
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  MessageStatus,
  MessageType,
  PROTOCOL_VERSION,
  REMOTE_PROGRAM,
} from './constants.js';
import { LibvirtConnectionError, LibvirtError, LibvirtTimeoutError } from './errors.js';
import { encodeFrame, FrameSplitter, type Frame } from './frame.js';
import { readRemoteError } from './structs.js';
import type { Transport } from './transport.js';
import { XdrReader } from './xdr.js';

interface PendingCall {
  readonly name: string;
  resolve(payload: Buffer): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

export interface RpcConnectionOptions {
  /** Asynchronous REMOTE messages: domain events. */
  readonly onEvent: (frame: Frame) => void;
  /** Called once when the connection ends; `error` is absent after a requested close. */
  readonly onClose: (error?: Error) => void;
}

/**
 * One socket's worth of libvirt RPC: pipelined calls matched to replies by serial, keepalive
 * answered and sent, events handed on. It never reconnects; LibvirtClient does that. Messages
 * are routed on their type before their serial, because events arrive with serial 1.
 */
export class RpcConnection {
  private readonly pending = new Map<number, PendingCall>();
  private readonly splitter = new FrameSplitter();
  private nextSerial = 1;
  private closed = false;
  private keepaliveTimer: NodeJS.Timeout | undefined;
  private unansweredPings = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: RpcConnectionOptions,
  ) {
    const { stream } = transport;
    stream.on('data', (chunk: Buffer) => {
      try {
        for (const frame of this.splitter.push(chunk)) this.dispatch(frame);
      } catch (err) {
        this.fail(
          new LibvirtConnectionError(`${transport.description} sent a malformed message: ${(err as Error).message}`, {
            cause: err,
          }),
        );
      }
    });
    stream.on('error', (err) =>
      this.fail(
        err instanceof LibvirtConnectionError
          ? err
          : new LibvirtConnectionError(`${transport.description}: ${err.message}`, { cause: err }),
      ),
    );
    stream.on('close', () =>
      this.fail(new LibvirtConnectionError(`${transport.description}: the daemon closed the connection`)),
    );
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Sends a REMOTE call and resolves with the reply's payload, or rejects with LibvirtError. */
  call(procedure: number, args: Buffer | undefined, timeoutMs: number): Promise<Buffer> {
    const name = procedureName(procedure);
    if (this.closed)
      return Promise.reject(
        new LibvirtConnectionError(`${name}: the connection to ${this.transport.description} is closed`),
      );
    const serial = this.nextSerial;
    this.nextSerial = this.nextSerial >= 0xffffffff ? 1 : this.nextSerial + 1;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(serial);
        reject(new LibvirtTimeoutError(name, timeoutMs));
      }, timeoutMs);
      this.pending.set(serial, { name, resolve, reject, timer });
      this.transport.stream.write(
        encodeFrame(
          {
            program: REMOTE_PROGRAM,
            version: PROTOCOL_VERSION,
            procedure,
            type: MessageType.Call,
            serial,
            status: MessageStatus.Ok,
          },
          args,
        ),
      );
    });
  }

  /**
   * Pings every `intervalMs` and gives up on the connection after `maxUnanswered` pings in a
   * row without any message coming back: how a dead TCP or ssh link is noticed.
   */
  startKeepalive(intervalMs: number, maxUnanswered: number): void {
    this.keepaliveTimer = setInterval(() => {
      if (this.unansweredPings >= maxUnanswered) {
        this.fail(
          new LibvirtConnectionError(`${this.transport.description}: no answer to ${maxUnanswered} keepalive pings`),
        );
        return;
      }
      this.unansweredPings += 1;
      this.sendKeepalive(KeepaliveProcedure.Ping);
    }, intervalMs);
    this.keepaliveTimer.unref();
  }

  /** Closes the socket; pending calls fail. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopAll(new LibvirtConnectionError(`the connection to ${this.transport.description} was closed`));
    this.transport.stream.destroy();
    this.options.onClose();
  }

  private sendKeepalive(procedure: number): void {
    this.transport.stream.write(
      encodeFrame({
        program: KEEPALIVE_PROGRAM,
        version: PROTOCOL_VERSION,
        procedure,
        type: MessageType.Message,
        serial: 0,
        status: MessageStatus.Ok,
      }),
    );
  }

  private dispatch(frame: Frame): void {
    // Any message at all shows the daemon is alive.
    this.unansweredPings = 0;
    const { header } = frame;
    if (header.program === KEEPALIVE_PROGRAM) {
      if (header.procedure === KeepaliveProcedure.Ping) this.sendKeepalive(KeepaliveProcedure.Pong);
      return;
    }
    if (header.program !== REMOTE_PROGRAM) throw new Error(`unexpected program 0x${header.program.toString(16)}`);
    if (header.type === MessageType.Message) {
      this.options.onEvent(frame);
      return;
    }
    if (header.type !== MessageType.Reply) throw new Error(`unexpected message type ${header.type}`);
    const call = this.pending.get(header.serial);
    if (!call) return; // its caller timed out already
    this.pending.delete(header.serial);
    clearTimeout(call.timer);
    if (header.status === MessageStatus.Error) {
      const reader = new XdrReader(frame.payload);
      call.reject(new LibvirtError(readRemoteError(reader), call.name));
    } else {
      call.resolve(frame.payload);
    }
  }

  private stopAll(error: Error): void {
    clearInterval(this.keepaliveTimer);
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(error);
    }
    this.pending.clear();
  }

  private fail(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stopAll(error);
    this.transport.stream.destroy();
    this.options.onClose(error);
  }
}
