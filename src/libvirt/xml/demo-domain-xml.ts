import { buildXml } from '../../xml.js';
import type { BootDevice, Firmware } from './domain-xml.js';
import { requireBootDevices } from './boot-order.js';
import { diskElement, scsiControllerElement } from './device-xml.js';
import { MAC_PATTERN, requireInteger, requireOneOf, requirePattern, requireText, UUID_PATTERN } from './spec-checks.js';

export interface DemoDomainSpec {
  readonly name: string;
  readonly uuid: string;
  readonly memoryMiB: number;
  readonly vcpus: number;
  /** BIOS (the default) or UEFI, which libvirt resolves to the installed OVMF when it starts. */
  readonly firmware?: Firmware;
  readonly mac: string;
  /** The MACs of further NICs, on the same network as the first. */
  readonly moreMacs?: readonly string[];
  /** What the NIC is plugged into: user-mode networking (the default), a libvirt network or a host bridge. */
  readonly network?: NicNetwork;
  /** A qcow2 file to attach as the first virtio disk (vda), the machine's root disk. */
  readonly rootDiskFile?: string;
  /** Defaults to disk, then network. */
  readonly bootDevices?: readonly BootDevice[];
  /** A serial console on a pty (the default: `virsh console` reaches it), or none. */
  readonly serialConsole?: 'pty' | 'none';
  readonly emulator?: string;
  /**
   * virtio-scsi controllers to define, indexes 0 to n-1: one per emulated storage controller,
   * whose volumes are SCSI disks on it (see volumeSlot).
   */
  readonly scsiControllers?: number;
}

export type NicNetwork = { readonly type: 'user' } | { readonly type: 'network' | 'bridge'; readonly name: string };

/** The interface element's type and source for a network choice. */
function nicAttachment(network: NicNetwork): Record<string, unknown> {
  const type = requireOneOf(network.type, ['user', 'network', 'bridge'], 'network.type');
  if (network.type === 'user') return { $: { type } };
  return { $: { type }, source: { $: { [network.type]: requireText(network.name, 'network.name') } } };
}

/**
 * A small lab machine that runs under QEMU's TCG on any host: pc (i440fx) machine with ACPI (so
 * disks can be hot-plugged), no graphics, a NIC (user-mode by default, so no libvirt network has
 * to exist), an optional root disk, an empty SATA CD-ROM drive and floppy drive for virtual media,
 * and the SCSI controllers its volumes go on.
 */
export function demoDomainXml(spec: DemoDomainSpec): string {
  const bootDevices = requireBootDevices(spec.bootDevices ?? ['hd', 'network']);
  const firmware = requireOneOf(spec.firmware ?? 'BIOS', ['BIOS', 'UEFI'], 'firmware');
  const scsiControllers = Number(requireInteger(spec.scsiControllers ?? 0, 'scsiControllers', 0));
  const serial = requireOneOf(spec.serialConsole ?? 'pty', ['pty', 'none'], 'serialConsole');
  const os = {
    ...(firmware === 'UEFI' && { $: { firmware: 'efi' } }),
    type: { $: { arch: 'x86_64', machine: 'pc' }, _: 'hvm' },
    boot: bootDevices.map((dev) => ({ $: { dev } })),
  };
  return buildXml({
    domain: {
      $: { type: 'qemu' },
      name: requireText(spec.name, 'name'),
      uuid: requirePattern(spec.uuid, UUID_PATTERN, 'uuid', 'a UUID'),
      memory: { $: { unit: 'MiB' }, _: requireInteger(spec.memoryMiB, 'memoryMiB', 1) },
      vcpu: requireInteger(spec.vcpus, 'vcpus', 1),
      os,
      features: { acpi: '', apic: '' },
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'destroy',
      devices: {
        emulator: requireText(spec.emulator ?? '/usr/bin/qemu-system-x86_64', 'emulator'),
        disk: [
          ...(spec.rootDiskFile === undefined
            ? []
            : [diskElement({ sourceFile: spec.rootDiskFile, targetDev: 'vda' })]),
          {
            $: { type: 'file', device: 'cdrom' },
            driver: { $: { name: 'qemu', type: 'raw' } },
            target: { $: { dev: 'sda', bus: 'sata' } },
            readonly: '',
          },
          {
            $: { type: 'file', device: 'floppy' },
            driver: { $: { name: 'qemu', type: 'raw' } },
            target: { $: { dev: 'fda', bus: 'fdc' } },
          },
        ],
        ...(scsiControllers > 0 && {
          controller: Array.from({ length: scsiControllers }, (_, index) => scsiControllerElement(index)),
        }),
        interface: [spec.mac, ...(spec.moreMacs ?? [])].map((mac) => ({
          ...nicAttachment(spec.network ?? { type: 'user' }),
          mac: {
            $: { address: requirePattern(mac, MAC_PATTERN, 'mac', 'a MAC address such as 52:54:00:12:34:56') },
          },
          model: { $: { type: 'virtio' } },
        })),
        ...(serial === 'pty' && {
          serial: { $: { type: 'pty' }, target: { $: { port: '0' } } },
          console: { $: { type: 'pty' }, target: { $: { type: 'serial', port: '0' } } },
        }),
        memballoon: { $: { model: 'none' } },
      },
    },
  });
}
