import { buildXml } from '../../xml.js';

export interface VolumeSpec {
  readonly name: string;
  readonly capacityBytes: number;
  /** qcow2 (sparse, the default) or raw. */
  readonly format?: 'qcow2' | 'raw';
}

/** A storage volume for STORAGE_VOL_CREATE_XML: allocation 0, so it is sparse. */
export function volumeXml(spec: VolumeSpec): string {
  return buildXml({
    volume: {
      name: spec.name,
      capacity: { $: { unit: 'bytes' }, _: String(spec.capacityBytes) },
      allocation: { $: { unit: 'bytes' }, _: '0' },
      target: { format: { $: { type: spec.format ?? 'qcow2' } } },
    },
  });
}

/** A directory pool for STORAGE_POOL_DEFINE_XML. */
export function dirPoolXml(name: string, path: string): string {
  return buildXml({ pool: { $: { type: 'dir' }, name, target: { path } } });
}
