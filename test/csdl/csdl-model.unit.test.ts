import { describe, expect, it } from 'vitest';
import { CsdlModel } from '../../src/csdl/csdl-model.js';
import { checkActionParameters, checkPatch } from '../../src/csdl/check-write.js';

const model = new CsdlModel();
const SYSTEM = '#ComputerSystem.v1_20_0.ComputerSystem';

describe('CsdlModel', () => {
  it('resolves a resource type through its versions and base types', () => {
    const system = model.entityType(SYSTEM)!;
    expect(system.updatable).toBe(true);
    expect(system.insertable).toBe(false);
    expect(system.properties.get('PowerState')).toMatchObject({ permission: 'Read', type: { kind: 'enum' } });
    expect(system.properties.get('AssetTag')).toMatchObject({
      permission: 'ReadWrite',
      type: { kind: 'primitive', name: 'Edm.String' },
    });
    // From Resource.v1_0_0.Resource, two base types up.
    expect(system.properties.get('Id')?.permission).toBe('Read');
    // Boot is typed ComputerSystem.v1_0_0.Boot; BootSourceOverrideMode came in v1_1_0.
    const boot = system.properties.get('Boot')!.type;
    expect(boot.kind).toBe('complex');
    if (boot.kind === 'complex') expect(boot.properties.get('BootSourceOverrideMode')?.permission).toBe('ReadWrite');
  });

  it('bounds a type by the resource version', () => {
    const old = model.entityType('#ComputerSystem.v1_0_0.ComputerSystem')!;
    expect(old.properties.has('PowerState')).toBe(true);
    expect(old.properties.has('LocationIndicatorActive')).toBe(false);
    expect(model.entityType(SYSTEM)!.properties.has('LocationIndicatorActive')).toBe(true);
  });

  it('lists actions with their parameters', () => {
    const reset = model.entityType(SYSTEM)!.actions.get('#ComputerSystem.Reset')!;
    const resetType = reset.parameters.find((p) => p.name === 'ResetType')!;
    expect(resetType.type.kind === 'enum' && resetType.type.members).toContain('ForceOff');
  });

  it('reads collection capabilities', () => {
    expect(model.entityType('#VolumeCollection.VolumeCollection')!.insertable).toBe(true);
    expect(model.entityType('#Volume.v1_9_0.Volume')!.deletable).toBe(true);
    expect(model.entityType('#Manager.v1_19_0.Manager')!.deletable).toBe(false);
  });

  it('answers undefined for a type no schema defines', () => {
    expect(model.entityType('#NoSuch.v1_0_0.NoSuch')).toBeUndefined();
  });
});

describe('checkPatch', () => {
  const system = () => model.entityType(SYSTEM)!;
  const current = { Boot: { 'BootSourceOverrideTarget@Redfish.AllowableValues': ['None', 'Pxe', 'Hdd'] } };

  it('accepts writable properties with good values', () => {
    expect(
      checkPatch(
        system(),
        { AssetTag: 'rack-4', Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } },
        current,
      ),
    ).toEqual([]);
  });

  it('refuses read-only, unknown, mistyped and unlisted values with Base messages', () => {
    const ids = (body: unknown) => checkPatch(system(), body, current).map((p) => p.messageId);
    expect(ids({ PowerState: 'On' })).toEqual(['PropertyNotWritable']);
    expect(ids({ Nonsense: 1 })).toEqual(['PropertyUnknown']);
    expect(ids({ AssetTag: 7 })).toEqual(['PropertyValueTypeError']);
    expect(ids({ Boot: { BootSourceOverrideEnabled: 'Sometimes' } })).toEqual(['PropertyValueNotInList']);
    // An enum member the schema has, but the resource does not offer.
    expect(ids({ Boot: { BootSourceOverrideTarget: 'Cd' } })).toEqual(['PropertyValueNotInList']);
    expect(ids({ Links: { Chassis: [] } })).toEqual(['PropertyNotWritable']);
    expect(
      checkPatch(system(), { Boot: { BootSourceOverrideEnabled: 'Sometimes' } }, current)[0]?.relatedProperties,
    ).toEqual(['/Boot/BootSourceOverrideEnabled']);
  });
});

describe('checkActionParameters', () => {
  const reset = () => model.entityType(SYSTEM)!.actions.get('#ComputerSystem.Reset')!;
  it('checks parameters against the action and the advertised values', () => {
    const advertised = { target: 'x', 'ResetType@Redfish.AllowableValues': ['On', 'ForceOff'] };
    expect(checkActionParameters(reset(), { ResetType: 'On' }, advertised)).toEqual([]);
    expect(checkActionParameters(reset(), { ResetType: 'Nmi' }, advertised).map((p) => p.messageId)).toEqual([
      'ActionParameterValueNotInList',
    ]);
    expect(checkActionParameters(reset(), { ResetType: 'Bogus' }, undefined).map((p) => p.messageId)).toEqual([
      'ActionParameterValueNotInList',
    ]);
    expect(checkActionParameters(reset(), { ResetType: 3 }, undefined).map((p) => p.messageId)).toEqual([
      'ActionParameterValueTypeError',
    ]);
    expect(checkActionParameters(reset(), { Speed: 3 }, undefined).map((p) => p.messageId)).toEqual([
      'ActionParameterUnknown',
    ]);
  });
});
