import { describe, expect, it } from 'vitest';
import { systemDecider, type SystemCommand, type SystemState } from '../../src/domain/system/system-decider.js';
import type { FirmwareComponent } from '../../src/domain/firmware/firmware-events.js';
import { installedVersion, stagedVersions } from '../../src/domain/firmware/firmware.js';
import { versionOfImage } from '../../src/domain/firmware/image-version.js';
import { given } from '../support/decider-run.js';

const bios = (version: string): FirmwareComponent => ({
  id: 'n1-BIOS',
  kind: 'BIOS',
  name: 'BIOS',
  version,
  about: '/redfish/v1/Systems/n1',
  addresses: ['/redfish/v1/Systems/n1'],
});
const bmc: FirmwareComponent = {
  id: 'n1-BMC',
  kind: 'BMC',
  name: 'BMC',
  version: '2.0',
  about: '/redfish/v1/Managers/n1',
  addresses: ['/redfish/v1/Managers/n1'],
};
const request = (taskId: string, targets = ['n1-BIOS']): SystemCommand => ({
  type: 'RequestFirmwareUpdate',
  taskId,
  imageUri: `http://images/${taskId}.bin`,
  transferProtocol: 'HTTP',
  targets,
});
const staged = (taskId: string, version: string): SystemCommand => ({
  type: 'RecordFirmwareImage',
  taskId,
  version,
  sha256: 'ab'.repeat(32),
  sizeBytes: 10,
});

const run = (commands: SystemCommand[], state?: SystemState) => given(systemDecider, commands, state);

describe('firmware of a system', () => {
  it('takes the version from the image name, or the digest when the name has none', () => {
    expect(versionOfImage('http://h/fw/bios-2.1.0.bin', 'f'.repeat(64))).toBe('2.1.0');
    expect(versionOfImage('https://h/BMC_v3.10.2-rc1.img?x=1', 'f'.repeat(64))).toBe('3.10.2-rc1');
    expect(versionOfImage('http://h/releases/4.2/controller.bin', '0123456789abcdef'.repeat(4))).toBe('0123456789ab');
  });

  it('refuses an update of a component the system does not have, and records nothing', () => {
    const { state } = run([{ type: 'RegisterFirmware', components: [bios('1.0'), bmc] }]);
    expect(systemDecider.decide(request('t1', ['n1-NIC']), state)).toMatchObject({
      kind: 'problem',
      status: 400,
      messageId: 'ResourceNotFound',
      messageArgs: ['SoftwareInventory', 'n1-NIC'],
    });
  });

  it('stages a fetched image, applies it at the next boot, and records an outcome only once', () => {
    const { events, state } = run([
      { type: 'RegisterFirmware', components: [bios('1.0'), bmc] },
      { type: 'ObservePowerState', powerState: 'Off' },
      request('t1', ['n1-BIOS', 'n1-BMC']),
      request('t2'),
      staged('t1', '3.0'),
      staged('t1', '3.1'),
      { type: 'RecordFirmwareImage', taskId: 't2', failure: 'Connection', message: 'ECONNREFUSED' },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'FirmwareRegistered',
      'PowerStateObserved',
      'FirmwareUpdateRequested',
      'FirmwareUpdateRequested',
      'FirmwareImageStaged',
      'FirmwareUpdateFailed',
    ]);
    expect(stagedVersions(state.firmware)).toEqual(
      new Map([
        ['n1-BIOS', '3.0'],
        ['n1-BMC', '3.0'],
      ]),
    );
    expect(state.firmware.installed).toEqual([
      { id: 'n1-BIOS', version: '1.0' },
      { id: 'n1-BMC', version: '2.0' },
    ]);
    const booted = run([{ type: 'ObservePowerState', powerState: 'On' }], state);
    expect(booted.events.map((e) => e.type)).toEqual(['PowerStateObserved', 'SystemBooted', 'FirmwareUpdateApplied']);
    expect(booted.state.firmware).toMatchObject({
      installed: [
        { id: 'n1-BIOS', version: '3.0' },
        { id: 'n1-BMC', version: '3.0' },
      ],
      updates: [],
    });
  });

  it('keeps an applied version when registered again, unless the config now gives another', () => {
    const { state } = run([
      { type: 'RegisterFirmware', components: [bios('1.0'), bmc] },
      { type: 'ObservePowerState', powerState: 'Off' },
      request('t1'),
      staged('t1', '3.0'),
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    const biosVersion = (components: FirmwareComponent[]) =>
      installedVersion(run([{ type: 'RegisterFirmware', components }], state).state.firmware, components[0]!);
    expect(biosVersion([bios('1.0'), { ...bmc, name: 'Renamed' }])).toBe('3.0');
    expect(biosVersion([bios('1.5'), bmc])).toBe('1.5');
  });
});
