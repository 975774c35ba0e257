/** What readings depend on: whether the host runs, and how big it is. */
export interface SensorInputs {
  readonly poweredOn: boolean;
  readonly vcpus: number;
  readonly memoryGiB: number;
}

export type SensorKind = 'Temperature' | 'Fan' | 'Power' | 'Voltage';

/** One sensor of a chassis, as every resource that shows it (Thermal, Power, the Sensors collection, the subsystems) reads it. */
export interface SensorReading {
  /** Its id in the chassis' Sensors collection. */
  readonly id: string;
  readonly kind: SensorKind;
  readonly name: string;
  readonly physicalContext: string;
  readonly reading: number;
  /** Where the reading goes critical (above), for the sensors that have one. */
  readonly upperCritical?: number;
  readonly lowerCritical?: number;
  readonly range: readonly [number, number];
}

/** Fans at full speed, and each power supply's rating. */
export const FAN_MAX_RPM = 12000;
export const SUPPLY_CAPACITY_WATTS = 800;

/**
 * Plausible readings for a server in a state: a running host is warm, its fans spin and it draws
 * watts in proportion to its size; a host that is off keeps only the BMC's standby: room-warm
 * components, still fans, a few watts, the standby rail. A pure function of the state, so the
 * views made from it are the same at every rebuild and at every point time travel replays.
 */
export function sensorReadings({ poweredOn, vcpus, memoryGiB }: SensorInputs): SensorReading[] {
  const load = Math.min(1, (vcpus + memoryGiB / 4) / 16);
  const watts = poweredOn ? Math.round(95 + 12 * vcpus + 3 * memoryGiB) : 9;
  const fanRpm = poweredOn ? Math.round(4800 + 3600 * load) : 0;
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return [
    {
      id: 'CPU1Temp',
      kind: 'Temperature',
      name: 'CPU 1 temperature',
      physicalContext: 'CPU',
      reading: poweredOn ? round1(46 + 22 * load) : 27,
      upperCritical: 95,
      range: [0, 120],
    },
    {
      id: 'InletTemp',
      kind: 'Temperature',
      name: 'Inlet temperature',
      physicalContext: 'Intake',
      reading: poweredOn ? 23.5 : 22,
      upperCritical: 42,
      range: [0, 80],
    },
    {
      id: 'BoardTemp',
      kind: 'Temperature',
      name: 'System board temperature',
      physicalContext: 'SystemBoard',
      reading: poweredOn ? round1(34 + 8 * load) : 25,
      upperCritical: 75,
      range: [0, 100],
    },
    {
      id: 'Fan1',
      kind: 'Fan',
      name: 'System fan 1',
      physicalContext: 'SystemBoard',
      reading: fanRpm,
      range: [0, FAN_MAX_RPM],
    },
    {
      id: 'Fan2',
      kind: 'Fan',
      name: 'System fan 2',
      physicalContext: 'SystemBoard',
      reading: fanRpm,
      range: [0, FAN_MAX_RPM],
    },
    {
      id: 'PowerConsumed',
      kind: 'Power',
      name: 'Power consumed',
      physicalContext: 'Chassis',
      reading: watts,
      range: [0, 2 * SUPPLY_CAPACITY_WATTS],
    },
    {
      id: 'Volt12',
      kind: 'Voltage',
      name: '12V rail',
      physicalContext: 'SystemBoard',
      reading: poweredOn ? 12.06 : 0,
      upperCritical: 13.2,
      lowerCritical: 10.8,
      range: [0, 15],
    },
    {
      id: 'Volt5',
      kind: 'Voltage',
      name: '5V rail',
      physicalContext: 'SystemBoard',
      reading: poweredOn ? 5.02 : 0,
      upperCritical: 5.5,
      lowerCritical: 4.5,
      range: [0, 6],
    },
    {
      id: 'Volt3_3Standby',
      kind: 'Voltage',
      name: '3.3V standby rail',
      physicalContext: 'SystemBoard',
      reading: 3.31,
      upperCritical: 3.63,
      lowerCritical: 2.97,
      range: [0, 4],
    },
  ];
}
