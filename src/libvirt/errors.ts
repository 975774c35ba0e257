import { ErrorCode } from './constants.js';
import type { RemoteError } from './structs.js';

/** An error reply from libvirt: its virErrorNumber, virErrorDomain and text. */
export class LibvirtError extends Error {
  readonly code: number;
  readonly domain: number;

  constructor(error: RemoteError, procedure: string) {
    super(`${procedure}: ${error.message ?? `libvirt error ${error.code}`}`);
    this.name = 'LibvirtError';
    this.code = error.code;
    this.domain = error.domain;
  }

  get isNoDomain(): boolean {
    return this.code === ErrorCode.NoDomain;
  }
  get isNoStoragePool(): boolean {
    return this.code === ErrorCode.NoStoragePool;
  }
  get isNoStorageVolume(): boolean {
    return this.code === ErrorCode.NoStorageVolume;
  }
  get isStorageVolumeExists(): boolean {
    return this.code === ErrorCode.StorageVolumeExists;
  }
  get isOperationInvalid(): boolean {
    return this.code === ErrorCode.OperationInvalid;
  }
  get isNotSupported(): boolean {
    return this.code === ErrorCode.NoSupport;
  }
}

/** The lookup's result, or undefined when libvirt says the object is not there. */
export async function missing<T>(lookup: Promise<T>, isMissing: (e: LibvirtError) => boolean): Promise<T | undefined> {
  try {
    return await lookup;
  } catch (err) {
    if (err instanceof LibvirtError && isMissing(err)) return undefined;
    throw err;
  }
}

/**
 * The connection itself failed: the daemon is not there, refused us, went away, or sent bytes
 * that are not libvirt RPC. The message says which endpoint and what to do about it.
 */
export class LibvirtConnectionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LibvirtConnectionError';
  }
}

/** A call that got no reply within its time limit. */
export class LibvirtTimeoutError extends LibvirtConnectionError {
  constructor(procedure: string, ms: number) {
    super(`${procedure}: no reply from libvirt within ${ms} ms`);
    this.name = 'LibvirtTimeoutError';
  }
}
