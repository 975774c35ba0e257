import type { RecordedEvent } from '../eventstore/event.js';
import type { DomainObserved } from '../domain/system/system-events.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector } from '../eventstore/projector.js';
import { setMembers } from './collection.js';
import { isSystemStream } from '../domain/stream-ids.js';

const MiB = 1024 * 1024;
const OK = { State: 'Enabled', Health: 'OK' };

/** The Id of a NIC's resource: its MAC without separators, as BMCs commonly name them. */
export const nicId = (mac: string) => mac.replace(/:/g, '').toUpperCase();

/**
 * A system's hardware as the domain defines it: one EthernetInterface per NIC (the MACs
 * provisioning tools match on), one processor with the domain's vCPUs as cores, and one memory
 * module of the domain's memory. Rewritten whenever the domain is observed to change.
 */
export const systemHardwareProjector: Projector = {
  name: 'system-hardware',
  apply(event: RecordedEvent, views) {
    if (event.type !== 'DomainObserved' || !isSystemStream(event.streamId)) return;
    const system = event.streamId;
    const { vcpus, memoryBytes, macAddresses } = event.data as DomainObserved['data'];
    const { position } = event;

    const nics = `${system}/EthernetInterfaces`;
    const gone = setMembers(
      views,
      position,
      nics,
      ODATA_TYPE.EthernetInterfaceCollection,
      'Ethernet Network Interface Collection',
      macAddresses.map(nicId),
    );
    for (const odataId of gone) views.delete(odataId);
    for (const mac of macAddresses) {
      const formatted = mac.toUpperCase();
      views.put(
        {
          '@odata.id': `${nics}/${nicId(mac)}`,
          '@odata.type': ODATA_TYPE.EthernetInterface,
          Id: nicId(mac),
          Name: 'Ethernet Interface',
          MACAddress: formatted,
          PermanentMACAddress: formatted,
          InterfaceEnabled: true,
          Status: OK,
        },
        position,
      );
    }

    const processors = `${system}/Processors`;
    setMembers(views, position, processors, ODATA_TYPE.ProcessorCollection, 'Processors Collection', ['CPU1']);
    views.put(
      {
        '@odata.id': `${processors}/CPU1`,
        '@odata.type': ODATA_TYPE.Processor,
        Id: 'CPU1',
        Name: 'Processor',
        ProcessorType: 'CPU',
        ProcessorArchitecture: 'x86',
        InstructionSet: 'x86-64',
        Manufacturer: 'QEMU',
        TotalCores: vcpus,
        TotalThreads: vcpus,
        Status: OK,
      },
      position,
    );

    const memory = `${system}/Memory`;
    setMembers(views, position, memory, ODATA_TYPE.MemoryCollection, 'Memory Module Collection', ['DIMM1']);
    views.put(
      {
        '@odata.id': `${memory}/DIMM1`,
        '@odata.type': ODATA_TYPE.Memory,
        Id: 'DIMM1',
        Name: 'Memory',
        MemoryType: 'DRAM',
        CapacityMiB: Math.floor(memoryBytes / MiB),
        Status: OK,
      },
      position,
    );
  },
};
