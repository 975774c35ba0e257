import { buildXml } from '../../xml.js';
import type { BootDevice, Firmware } from './domain-xml.js';

export interface DemoDomainSpec {
  readonly name: string;
  readonly uuid: string;
  readonly memoryMiB: number;
  readonly vcpus: number;
  readonly firmware?: Firmware;
  readonly mac: string;
  readonly bootDevices?: readonly BootDevice[];
  readonly emulator?: string;
}

/**
 * A small lab machine that runs under QEMU's TCG on any host: pc (i440fx) machine with ACPI (so
 * disks can be hot-plugged), no graphics, a user-mode NIC (no libvirt network needed), and a
 * SATA CD-ROM drive for virtual media.
 */
export function demoDomainXml(spec: DemoDomainSpec): string {
  const os: Record<string, unknown> = {
    type: { $: { arch: 'x86_64', machine: 'pc' }, _: 'hvm' },
    boot: (spec.bootDevices ?? ['hd', 'network']).map((dev) => ({ $: { dev } })),
  };
  return buildXml({
    domain: {
      $: { type: 'qemu' },
      name: spec.name,
      uuid: spec.uuid,
      memory: { $: { unit: 'MiB' }, _: String(spec.memoryMiB) },
      vcpu: String(spec.vcpus),
      os: spec.firmware === 'UEFI' ? { $: { firmware: 'efi' }, ...os } : os,
      features: { acpi: '', apic: '' },
      on_poweroff: 'destroy',
      on_reboot: 'restart',
      on_crash: 'destroy',
      devices: {
        emulator: spec.emulator ?? '/usr/bin/qemu-system-x86_64',
        disk: {
          $: { type: 'file', device: 'cdrom' },
          driver: { $: { name: 'qemu', type: 'raw' } },
          target: { $: { dev: 'sda', bus: 'sata' } },
          readonly: '',
        },
        interface: { $: { type: 'user' }, mac: { $: { address: spec.mac } }, model: { $: { type: 'virtio' } } },
        memballoon: { $: { model: 'none' } },
      },
    },
  });
}
