import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { uniqueName, tearDownLab } from '../support/libvirt.js';

/*
 * Chassis sensors on a real domain of qemu:///system: read over HTTP and by Debian's
 * python3-sushy (chassis.thermal, chassis.power, as Ironic's sensor data collection reads them)
 * while the machine is off, on, and off again; and the past readings replayed by time travel.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-sensors-'));
const domainName = uniqueName('sensors');
const poolName = uniqueName('pool');
const SYSTEM = '/redfish/v1/Systems/sn1';
const CHASSIS = '/redfish/v1/Chassis/sn1';
let emulator: RunningEmulator;
let libvirt: LibvirtClient;
const { request, get } = redfishClient(() => emulator.url);

interface SushyReadings {
  temperatures: Record<string, number>;
  fans: Record<string, number>;
  supplies: Record<string, [number, number]>;
}

/** What sushy reads of the chassis' Thermal and Power, by sensor name. */
async function sushyReadings(): Promise<SushyReadings> {
  const script = `
import json, sushy
c = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))
chassis = c.get_chassis('${CHASSIS}')
thermal, power = chassis.thermal, chassis.power
print(json.dumps({
  'temperatures': {t.name: t.reading_celsius for t in thermal.temperatures},
  'fans': {f.name: f.reading for f in thermal.fans},
  'supplies': {p.name: [p.last_power_output_watts, p.power_capacity_watts] for p in power.power_supplies},
}))
`;
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return JSON.parse(stdout) as SushyReadings;
}

async function reset(resetType: string, powerState: string): Promise<void> {
  expect((await request('POST', `${SYSTEM}/Actions/ComputerSystem.Reset`, { ResetType: resetType })).status).toBe(204);
  await expect.poll(async () => (await get(SYSTEM))['PowerState'], { timeout: 60_000, interval: 200 }).toBe(powerState);
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  const config = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: join(dir, 'pool') } },
    lab: {
      createMissingDomains: true,
      systems: [{ id: 'sn1', name: 'Sensor node', domain: domainName, vcpus: 2, memoryMiB: 64 }],
    },
  }).config;
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 500 });
  await emulator.lab!.ready;
  // The domain is defined shut off; its power is known once the observer has seen it.
  for (let tries = 0; (await get(SYSTEM))['PowerState'] !== 'Off'; tries++) {
    if (tries > 300) throw new Error('the system never showed its power state');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}, 120_000);

afterAll(async () => {
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('chassis sensors', { timeout: 180_000 }, () => {
  it('links Thermal, Power, ThermalSubsystem, PowerSubsystem and Sensors from the chassis, agreeing with each other', async () => {
    const chassis = await get(CHASSIS);
    for (const name of ['Thermal', 'Power', 'ThermalSubsystem', 'PowerSubsystem', 'Sensors'])
      expect(chassis[name]).toEqual({ '@odata.id': `${CHASSIS}/${name}` });
    const sensors = await get(`${CHASSIS}/Sensors`);
    expect(sensors['Members@odata.count']).toBe(9);
    const metrics = await get(`${CHASSIS}/ThermalSubsystem/ThermalMetrics`);
    const thermal = await get(`${CHASSIS}/Thermal`);
    for (const [i, reading] of (
      metrics['TemperatureReadingsCelsius'] as { DataSourceUri: string; Reading: number }[]
    ).entries()) {
      expect((await get(reading.DataSourceUri))['Reading']).toBe(reading.Reading);
      expect(thermal['Temperatures'][i]['ReadingCelsius']).toBe(reading.Reading);
    }
    const fans = await get(`${CHASSIS}/ThermalSubsystem/Fans`);
    expect(fans['Members@odata.count']).toBe(2);
    const fan = await get(fans['Members'][0]['@odata.id']);
    expect(fan['SpeedPercent']['SpeedRPM']).toBe(thermal['Fans'][0]['Reading']);
    expect((await get(`${CHASSIS}/PowerSubsystem/PowerSupplies`))['Members@odata.count']).toBe(2);
    expect(await get(`${CHASSIS}/PowerSubsystem/PowerSupplies/0`)).toMatchObject({
      PowerCapacityWatts: 800,
      PowerSupplyType: 'AC',
      Status: { State: 'Enabled', Health: 'OK' },
    });
  });

  it('reads standby values while off, a warm host drawing watts while on, and standby again once off, as sushy reads them', async () => {
    const off = await sushyReadings();
    expect(off.temperatures['CPU 1 temperature']).toBeLessThan(30);
    expect(off.fans['System fan 1']).toBe(0);
    expect(off.supplies['Power supply 1']).toEqual([5, 800]);
    expect((await get(`${CHASSIS}/Power`))['Voltages'].map((v: { ReadingVolts: number }) => v.ReadingVolts)).toEqual([
      0, 0, 3.31,
    ]);

    await reset('On', 'On');
    const on = await sushyReadings();
    expect(on.temperatures['CPU 1 temperature']).toBeGreaterThan(40);
    expect(on.temperatures['Inlet temperature']).toBeGreaterThan(off.temperatures['Inlet temperature']!);
    expect(on.fans['System fan 1']).toBeGreaterThan(4000);
    const watts = (await get(`${CHASSIS}/Power`))['PowerControl'][0]['PowerConsumedWatts'] as number;
    expect(watts).toBeGreaterThan(100);
    expect(on.supplies['Power supply 1']![0]).toBe(Math.round(watts / 2));
    expect((await get(`${CHASSIS}/Sensors/PowerConsumed`))['Reading']).toBe(watts);

    await reset('ForceOff', 'Off');
    expect(await sushyReadings()).toEqual(off);
  });

  it('replays past readings from the power events, as time travel shows them', async () => {
    const poweredOn = queryHistory(emulator.store.db, { resource: SYSTEM, types: ['PowerStateObserved'] }).find(
      (e) => (e.data as { powerState: string }).powerState === 'On',
    )!;
    const then = await request(
      'GET',
      `/emulator/v1/AsOf?resource=${encodeURIComponent(`${CHASSIS}/Thermal`)}&asOf=${poweredOn.position}`,
    );
    expect(then.status).toBe(200);
    expect(((await then.json()) as Record<string, any>)['Fans'][0]['Reading']).toBeGreaterThan(4000);
    expect((await get(`${CHASSIS}/Thermal`))['Fans'][0]['Reading']).toBe(0);
  });
});
