import { Limits } from './constants.js';
import type { XdrReader, XdrWriter } from './xdr.js';

/**
 * The handle structures of remote_protocol.x. They are values, not server-side references:
 * the daemon finds the object by uuid (domains, pools) or key (volumes) on every call, so a
 * handle kept from an earlier connection still works after a reconnect.
 */
export interface DomainHandle {
  readonly name: string;
  /** 16 raw bytes. */
  readonly uuid: Buffer;
  /** The running domain's id, -1 when it is shut off. */
  readonly id: number;
}

export interface PoolHandle {
  readonly name: string;
  readonly uuid: Buffer;
}

export interface VolumeHandle {
  readonly pool: string;
  readonly name: string;
  /** For dir pools, the volume's absolute path. */
  readonly key: string;
}

export const writeUuid = (w: XdrWriter, uuid: Buffer) => w.fixedOpaque(uuid, Limits.uuidBytes);
export const readUuid = (r: XdrReader) => r.fixedOpaque(Limits.uuidBytes);

export function writeDomain(w: XdrWriter, d: DomainHandle): XdrWriter {
  w.string(d.name, Limits.string);
  writeUuid(w, d.uuid);
  return w.int(d.id);
}

export function readDomain(r: XdrReader): DomainHandle {
  return { name: r.string(Limits.string), uuid: readUuid(r), id: r.int() };
}

export function writePool(w: XdrWriter, p: PoolHandle): XdrWriter {
  w.string(p.name, Limits.string);
  return writeUuid(w, p.uuid);
}

export function readPool(r: XdrReader): PoolHandle {
  return { name: r.string(Limits.string), uuid: readUuid(r) };
}

export function writeVolume(w: XdrWriter, v: VolumeHandle): XdrWriter {
  w.string(v.pool, Limits.string);
  w.string(v.name, Limits.string);
  return w.string(v.key, Limits.string);
}

export function readVolume(r: XdrReader): VolumeHandle {
  return { pool: r.string(Limits.string), name: r.string(Limits.string), key: r.string(Limits.string) };
}

/** The payload of every error reply. */
export interface RemoteError {
  readonly code: number;
  readonly domain: number;
  readonly message?: string;
  readonly level: number;
}

export function readRemoteError(r: XdrReader): RemoteError {
  const code = r.int();
  const domain = r.int();
  const message = r.optional((x) => x.string(Limits.string));
  const level = r.int();
  r.optional(readDomain);
  r.optional((x) => x.string(Limits.string));
  r.optional((x) => x.string(Limits.string));
  r.optional((x) => x.string(Limits.string));
  r.int();
  r.int();
  r.optional((x) => ({ name: x.string(Limits.string), uuid: readUuid(x) }));
  return { code, domain, message, level };
}

/** UUID bytes as the usual 8-4-4-4-12 text, and back. */
export function uuidToString(uuid: Buffer): string {
  const hex = uuid.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidFromString(text: string): Buffer {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: '${text}'`);
  return Buffer.from(hex, 'hex');
}
