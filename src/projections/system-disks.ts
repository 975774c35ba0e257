import type { RecordedEvent } from '../eventstore/event.js';
import type { DomainObserved, ObservedDisk } from '../domain/system/system-events.js';
import { putIfChanged } from './aggregate-state.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument } from '../eventstore/projector.js';
import { isSystemStream } from '../domain/stream-ids.js';

/** The buses a domain's disks sit on, each shown as one SimpleStorage controller. */
const BUSES = ['virtio', 'scsi', 'sata', 'ide', 'usb', 'xen', 'sd', 'nvme'];

/**
 * The domain's own disks (its root disk; an adopted domain's disks) as SimpleStorage, one per bus
 * (as a host shows its disk controllers), each disk with its capacity when libvirt knows it;
 * provisioning tools size root disks from it. An emulated controller's SimpleStorage, which the
 * storage projection keeps in the same collection, stays a member.
 */
export const systemDisksProjector: Projector = {
  name: 'system-disks',
  apply(event: RecordedEvent, views) {
    if (event.type !== 'DomainObserved' || !isSystemStream(event.streamId)) return;
    const { disks } = event.data as DomainObserved['data'];
    if (disks === undefined) return;
    const system = event.streamId;
    const collection = `${system}/SimpleStorage`;
    const { position } = event;
    const byBus = new Map<string, ObservedDisk[]>();
    for (const disk of disks) byBus.set(disk.bus, [...(byBus.get(disk.bus) ?? []), disk]);
    const buses = [...byBus.keys()].sort();
    for (const bus of BUSES.filter((b) => !byBus.has(b))) views.delete(`${collection}/${bus}`);
    const busIds = new Set(BUSES.map((bus) => `${collection}/${bus}`));
    const others = ((views.get(collection)?.['Members'] ?? []) as { '@odata.id': string }[]).filter(
      (m) => !busIds.has(m['@odata.id']),
    );
    const members = [...buses.map((bus) => ({ '@odata.id': `${collection}/${bus}` })), ...others];
    putIfChanged(views, position, {
      '@odata.id': collection,
      '@odata.type': ODATA_TYPE.SimpleStorageCollection,
      Name: 'Simple Storage Collection',
      Members: members,
      'Members@odata.count': members.length,
    });
    for (const bus of buses) {
      const document: ViewDocument = {
        '@odata.id': `${collection}/${bus}`,
        '@odata.type': ODATA_TYPE.SimpleStorage,
        Id: bus,
        Name: `${bus} disk controller`,
        Status: { State: 'Enabled', Health: 'OK', HealthRollup: 'OK' },
        Devices: byBus.get(bus)!.map((disk) => ({
          Name: disk.target,
          Status: { State: 'Enabled', Health: 'OK' },
          ...(disk.capacityBytes !== undefined && { CapacityBytes: disk.capacityBytes }),
        })),
      };
      putIfChanged(views, position, document);
    }
    const doc = views.get(system);
    if (doc && (doc['SimpleStorage'] as { '@odata.id'?: string } | undefined)?.['@odata.id'] !== collection)
      views.put({ ...doc, SimpleStorage: { '@odata.id': collection } }, position);
  },
};
