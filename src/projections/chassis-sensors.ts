import type { RecordedEvent } from '../eventstore/event.js';
import type { SystemState } from '../domain/system/system-decider.js';
import { putIfChanged, storedState } from './aggregate-state.js';
import { setMembers } from './collection.js';
import { chassisOf } from './manager-and-chassis.js';
import { ODATA_TYPE } from './odata-types.js';
import type { Projector, ViewDocument, ViewWriter } from '../eventstore/projector.js';
import {
  FAN_MAX_RPM,
  sensorReadings,
  SUPPLY_CAPACITY_WATTS,
  type SensorKind,
  type SensorReading,
} from './sensor-readings.js';
import { systemIdOfStream } from '../domain/stream-ids.js';

/** The events readings follow: the system appearing, its size, its power. */
const CHANGES_READINGS = new Set(['SystemRegistered', 'DomainObserved', 'PowerStateObserved', 'DomainMissingObserved']);
const OK = { State: 'Enabled', Health: 'OK' };
const SUPPLIES = ['0', '1'];
const UNITS: Record<SensorKind, { readingType: string; units: string }> = {
  Temperature: { readingType: 'Temperature', units: 'Cel' },
  Fan: { readingType: 'Percent', units: '%' },
  Power: { readingType: 'Power', units: 'W' },
  Voltage: { readingType: 'Voltage', units: 'V' },
};
const fanPercent = (rpm: number) => Math.round((rpm / FAN_MAX_RPM) * 100);

/**
 * Each chassis' sensors, from its system's power state and size as the system's events leave
 * them: the Thermal and Power resources older clients (sushy, Ironic's sensor data) read, and
 * ThermalSubsystem, PowerSubsystem and the Sensors collection for newer ones, all from one list
 * of readings.
 */
export const chassisSensorsProjector: Projector = {
  name: 'chassis-sensors',
  apply(recorded: RecordedEvent, views) {
    const systemId = systemIdOfStream(recorded.streamId);
    if (systemId === undefined || !CHANGES_READINGS.has(recorded.type)) return;
    const state = storedState<SystemState>(views, recorded.streamId);
    const chassis = chassisOf(systemId);
    if (!state || !views.exists(chassis)) return;
    const readings = sensorReadings({
      poweredOn: state.powerState === 'On' || state.powerState === 'Paused',
      vcpus: state.domain?.vcpus ?? 1,
      memoryGiB: (state.domain?.memoryBytes ?? 2 ** 30) / 2 ** 30,
    });
    render(views, recorded.position, systemId, chassis, readings);
  },
};

function render(
  views: ViewWriter,
  position: number,
  systemId: string,
  chassis: string,
  readings: readonly SensorReading[],
): void {
  const put = (document: ViewDocument) => putIfChanged(views, position, document);
  const of = (kind: SensorKind) => readings.filter((r) => r.kind === kind);
  const sensor = (r: SensorReading) => `${chassis}/Sensors/${r.id}`;
  const watts = of('Power')[0]!.reading;
  const [thermal, power, thermalSubsystem, powerSubsystem] = [
    'Thermal',
    'Power',
    'ThermalSubsystem',
    'PowerSubsystem',
  ].map((name) => `${chassis}/${name}`) as [string, string, string, string];

  put({
    '@odata.id': thermal,
    '@odata.type': ODATA_TYPE.Thermal,
    Id: 'Thermal',
    Name: 'Thermal',
    Temperatures: of('Temperature').map((r, i) => ({
      ...member(`${thermal}#/Temperatures`, i, r),
      SensorNumber: i + 1,
      ReadingCelsius: r.reading,
      UpperThresholdCritical: r.upperCritical,
      MinReadingRangeTemp: r.range[0],
      MaxReadingRangeTemp: r.range[1],
    })),
    Fans: of('Fan').map((r, i) => ({
      ...member(`${thermal}#/Fans`, i, r),
      Reading: r.reading,
      ReadingUnits: 'RPM',
      MinReadingRange: r.range[0],
      MaxReadingRange: r.range[1],
    })),
  });
  put({
    '@odata.id': power,
    '@odata.type': ODATA_TYPE.Power,
    Id: 'Power',
    Name: 'Power',
    PowerControl: [
      {
        '@odata.id': `${power}#/PowerControl/0`,
        MemberId: '0',
        Name: 'System power control',
        PowerConsumedWatts: watts,
        PowerCapacityWatts: SUPPLIES.length * SUPPLY_CAPACITY_WATTS,
        PowerMetrics: {
          IntervalInMin: 1,
          MinConsumedWatts: watts,
          MaxConsumedWatts: watts,
          AverageConsumedWatts: watts,
        },
        Status: OK,
      },
    ],
    PowerSupplies: SUPPLIES.map((id) => ({
      '@odata.id': `${power}#/PowerSupplies/${id}`,
      MemberId: id,
      Name: `Power supply ${Number(id) + 1}`,
      PowerSupplyType: 'AC',
      LineInputVoltage: 230,
      PowerCapacityWatts: SUPPLY_CAPACITY_WATTS,
      // The two supplies share the load.
      LastPowerOutputWatts: Math.round(watts / SUPPLIES.length),
      ...supplyIdentity(systemId, id),
      InputRanges: [
        {
          InputType: 'AC',
          MinimumVoltage: 100,
          MaximumVoltage: 240,
          MinimumFrequencyHz: 50,
          MaximumFrequencyHz: 60,
          OutputWattage: SUPPLY_CAPACITY_WATTS,
        },
      ],
      Status: OK,
    })),
    Voltages: of('Voltage').map((r, i) => ({
      ...member(`${power}#/Voltages`, i, r),
      SensorNumber: 20 + i,
      ReadingVolts: r.reading,
      UpperThresholdCritical: r.upperCritical,
      LowerThresholdCritical: r.lowerCritical,
      MinReadingRange: r.range[0],
      MaxReadingRange: r.range[1],
    })),
  });

  setMembers(
    views,
    position,
    `${chassis}/Sensors`,
    ODATA_TYPE.SensorCollection,
    'Sensors',
    readings.map((r) => r.id),
  );
  for (const r of readings) {
    const { readingType, units } = UNITS[r.kind];
    put({
      '@odata.id': sensor(r),
      '@odata.type': ODATA_TYPE.Sensor,
      Id: r.id,
      Name: r.name,
      ReadingType: readingType,
      Reading: r.kind === 'Fan' ? fanPercent(r.reading) : r.reading,
      ReadingUnits: units,
      ...(r.kind === 'Fan' && { SpeedRPM: r.reading }),
      ReadingRangeMin: r.kind === 'Fan' ? 0 : r.range[0],
      ReadingRangeMax: r.kind === 'Fan' ? 100 : r.range[1],
      PhysicalContext: r.physicalContext,
      ...((r.upperCritical !== undefined || r.lowerCritical !== undefined) && {
        Thresholds: {
          ...(r.upperCritical !== undefined && { UpperCritical: { Reading: r.upperCritical } }),
          ...(r.lowerCritical !== undefined && { LowerCritical: { Reading: r.lowerCritical } }),
        },
      }),
      Status: OK,
    });
  }

  put({
    '@odata.id': thermalSubsystem,
    '@odata.type': ODATA_TYPE.ThermalSubsystem,
    Id: 'ThermalSubsystem',
    Name: 'Thermal subsystem',
    Fans: { '@odata.id': `${thermalSubsystem}/Fans` },
    ThermalMetrics: { '@odata.id': `${thermalSubsystem}/ThermalMetrics` },
    Status: OK,
  });
  const temperatures = of('Temperature').map((r) => ({ DataSourceUri: sensor(r), Reading: r.reading }));
  put({
    '@odata.id': `${thermalSubsystem}/ThermalMetrics`,
    '@odata.type': ODATA_TYPE.ThermalMetrics,
    Id: 'ThermalMetrics',
    Name: 'Thermal metrics',
    TemperatureReadingsCelsius: temperatures,
    'TemperatureReadingsCelsius@odata.count': temperatures.length,
  });
  setMembers(
    views,
    position,
    `${thermalSubsystem}/Fans`,
    ODATA_TYPE.FanCollection,
    'Fans',
    of('Fan').map((r) => r.id),
  );
  for (const r of of('Fan')) {
    put({
      '@odata.id': `${thermalSubsystem}/Fans/${r.id}`,
      '@odata.type': ODATA_TYPE.Fan,
      Id: r.id,
      Name: r.name,
      PhysicalContext: r.physicalContext,
      SpeedPercent: { DataSourceUri: sensor(r), Reading: fanPercent(r.reading), SpeedRPM: r.reading },
      Status: OK,
    });
  }

  put({
    '@odata.id': powerSubsystem,
    '@odata.type': ODATA_TYPE.PowerSubsystem,
    Id: 'PowerSubsystem',
    Name: 'Power subsystem',
    CapacityWatts: SUPPLIES.length * SUPPLY_CAPACITY_WATTS,
    PowerSupplies: { '@odata.id': `${powerSubsystem}/PowerSupplies` },
    Status: OK,
  });
  setMembers(
    views,
    position,
    `${powerSubsystem}/PowerSupplies`,
    ODATA_TYPE.PowerSupplyCollection,
    'Power supplies',
    SUPPLIES,
  );
  for (const id of SUPPLIES) {
    put({
      '@odata.id': `${powerSubsystem}/PowerSupplies/${id}`,
      '@odata.type': ODATA_TYPE.PowerSupply,
      Id: id,
      Name: `Power supply ${Number(id) + 1}`,
      PowerSupplyType: 'AC',
      PowerCapacityWatts: SUPPLY_CAPACITY_WATTS,
      LineInputStatus: 'Normal',
      InputRanges: [{ NominalVoltageType: 'AC200To240V', CapacityWatts: SUPPLY_CAPACITY_WATTS }],
      ...supplyIdentity(systemId, id),
      Status: OK,
    });
  }

  const doc = views.get(chassis)!;
  const links = Object.fromEntries(
    ['Thermal', 'Power', 'ThermalSubsystem', 'PowerSubsystem', 'Sensors'].map((name) => [
      name,
      { '@odata.id': `${chassis}/${name}` },
    ]),
  );
  put({ ...doc, ...links });
}

/** What every member of a Thermal or Power array has: its place, its name, what it measures. */
function member(array: string, index: number, r: SensorReading) {
  return {
    '@odata.id': `${array}/${index}`,
    MemberId: String(index),
    Name: r.name,
    PhysicalContext: r.physicalContext,
    Status: OK,
  };
}

function supplyIdentity(systemId: string, id: string) {
  return {
    Manufacturer: 'redfish-emulator',
    Model: `Emulated ${SUPPLY_CAPACITY_WATTS} W AC supply`,
    SerialNumber: `PSU-${systemId}-${id}`,
    FirmwareVersion: '1.0.0',
  };
}
