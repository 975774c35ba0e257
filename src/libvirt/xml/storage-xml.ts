import { attr, buildXml, child, childText, parseXml, XmlShapeError, type XmlNode } from '../../xml.js';
import { requireInteger, requireOneOf, requireText } from './spec-checks.js';
import { toBytes } from './units.js';

export const VOLUME_FORMATS = ['qcow2', 'raw'] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

export interface VolumeSpec {
  readonly name: string;
  readonly capacityBytes: number;
  /** qcow2 (the default: sparse, grows as written) or raw. */
  readonly format?: VolumeFormat;
}

/** A storage volume for STORAGE_VOL_CREATE_XML: allocation 0, so nothing is written up front. */
export function volumeXml(spec: VolumeSpec): string {
  return buildXml({
    volume: {
      name: requireText(spec.name, 'name'),
      capacity: { $: { unit: 'bytes' }, _: requireInteger(spec.capacityBytes, 'capacityBytes', 0) },
      allocation: { $: { unit: 'bytes' }, _: '0' },
      target: { format: { $: { type: requireOneOf(spec.format ?? 'qcow2', VOLUME_FORMATS, 'format') } } },
    },
  });
}

/** A directory pool for STORAGE_POOL_DEFINE_XML. */
export function dirPoolXml(name: string, path: string): string {
  return buildXml({
    pool: { $: { type: 'dir' }, name: requireText(name, 'name'), target: { path: requireText(path, 'path') } },
  });
}

export interface VolumeDescription {
  readonly name: string;
  /** file, block, dir… */
  readonly type?: string;
  readonly key?: string;
  readonly path?: string;
  readonly format?: string;
  readonly capacityBytes: number;
  readonly allocationBytes?: number;
}

export interface PoolDescription {
  readonly name: string;
  readonly uuid?: string;
  /** dir, logical, disk… */
  readonly type?: string;
  readonly path?: string;
  readonly capacityBytes?: number;
  readonly allocationBytes?: number;
  readonly availableBytes?: number;
}

function rootOf(xml: string, name: 'volume' | 'pool'): XmlNode {
  const document = parseXml(xml);
  const root = Object.keys(document)[0];
  if (root !== name)
    throw new XmlShapeError(`not a libvirt storage ${name}: the root element is <${root ?? 'nothing'}>`);
  const element = document[name] as XmlNode | string;
  return typeof element === 'object' ? element : {};
}

/** A size element in bytes; storage sizes without a unit are bytes. */
function sizeOf(parent: XmlNode, name: string): number | undefined {
  const element = child(parent, name);
  if (element === undefined) return undefined;
  try {
    return toBytes(childText(parent, name) ?? '', attr(element, 'unit'), 'bytes');
  } catch (err) {
    throw new XmlShapeError(`<${name}>: ${(err as Error).message}`);
  }
}

/** Reads a volume's XML (as virStorageVolGetXMLDesc returns it). */
export function readVolumeXml(xml: string): VolumeDescription {
  const volume = rootOf(xml, 'volume');
  const name = childText(volume, 'name');
  if (!name) throw new XmlShapeError('a volume without <name>');
  const capacityBytes = sizeOf(volume, 'capacity');
  if (capacityBytes === undefined) throw new XmlShapeError(`volume ${name} has no <capacity>`);
  const target = child(volume, 'target');
  return {
    name,
    type: attr(volume, 'type'),
    key: childText(volume, 'key'),
    path: childText(target, 'path'),
    format: attr(child(target, 'format'), 'type'),
    capacityBytes,
    allocationBytes: sizeOf(volume, 'allocation'),
  };
}

/** Reads a pool's XML (as virStoragePoolGetXMLDesc returns it). */
export function readPoolXml(xml: string): PoolDescription {
  const pool = rootOf(xml, 'pool');
  const name = childText(pool, 'name');
  if (!name) throw new XmlShapeError('a pool without <name>');
  return {
    name,
    uuid: childText(pool, 'uuid'),
    type: attr(pool, 'type'),
    path: childText(child(pool, 'target'), 'path'),
    capacityBytes: sizeOf(pool, 'capacity'),
    allocationBytes: sizeOf(pool, 'allocation'),
    availableBytes: sizeOf(pool, 'available'),
  };
}
