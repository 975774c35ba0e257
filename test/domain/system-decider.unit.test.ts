import { describe, expect, it } from 'vitest';
import { systemDecider, type SystemCommand, type SystemState } from '../../src/domain/system/system-decider.js';
import type { ResetType } from '../../src/domain/system/system-events.js';
import { given } from '../support/decider-run.js';

const registration = { systemId: 'n1', name: 'Node 1', libvirtUri: 'qemu:///system', domainName: 'dom-n1' };
const domain = {
  uuid: '7c4c3e0e-1d2b-4a5f-9e6d-0a1b2c3d4e5f',
  vcpus: 2,
  memoryBytes: 2 ** 30,
  firmware: 'BIOS' as const,
  macAddresses: ['52:54:00:01:02:03'],
};

const run = (commands: SystemCommand[], state?: SystemState) => given(systemDecider, commands, state);

describe('the system decider', () => {
  it('records a registration once, and again only when the config changed', () => {
    const { events } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'RegisterSystem', ...registration },
      { type: 'RegisterSystem', ...registration, name: 'Renamed' },
    ]);
    expect(events.map((e) => e.type)).toEqual(['SystemRegistered', 'SystemRegistered']);
    expect(events[1]!.data).toMatchObject({ name: 'Renamed' });
  });

  it('records observations only when they change, so a resync of an idle lab writes nothing', () => {
    const { events } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'Off' },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'Off' },
      { type: 'ObservePowerState', powerState: 'On' },
      { type: 'ObserveDomain', ...domain, vcpus: 4 },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'SystemRegistered',
      'DomainObserved',
      'PowerStateObserved',
      'PowerStateObserved',
      'SystemBooted',
      'DomainObserved',
    ]);
  });

  it('records a missing domain once, and the domain again when it is back', () => {
    const { events, state } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'On' },
      { type: 'ObserveDomainMissing' },
      { type: 'ObserveDomainMissing' },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'SystemRegistered',
      'DomainObserved',
      'PowerStateObserved',
      'DomainMissingObserved',
      'DomainObserved',
      'PowerStateObserved',
    ]);
    expect(state.domainMissing).toBe(false);
  });

  it('records an unreachable libvirt daemon once, and once again that it answers', () => {
    const { events, state } = run([
      { type: 'ObserveHostUnreachable', reason: 'before registration: nothing to say it of' },
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveHostReachable' },
      { type: 'ObserveHostUnreachable', reason: 'connect ECONNREFUSED' },
      { type: 'ObserveHostUnreachable', reason: 'still ECONNREFUSED' },
      { type: 'ObserveHostReachable' },
      { type: 'ObserveHostReachable' },
    ]);
    expect(events).toEqual([
      { type: 'SystemRegistered', data: registration },
      { type: 'HostUnreachableObserved', data: { libvirtUri: 'qemu:///system', reason: 'connect ECONNREFUSED' } },
      { type: 'HostReachableObserved', data: { libvirtUri: 'qemu:///system' } },
    ]);
    expect(state.hostUnreachable).toBe(false);
  });

  it('refuses, while the daemon does not answer, what needs the domain (503, retry in 5 s), and takes what does not', () => {
    const { state } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveHostUnreachable', reason: 'gone' },
    ]);
    const refused = { kind: 'problem', status: 503, messageId: 'ServiceTemporarilyUnavailable', messageArgs: ['5'] };
    expect(systemDecider.decide({ type: 'ResetSystem', resetType: 'On' }, state)).toEqual(refused);
    expect(systemDecider.decide({ type: 'PatchSystem', target: 'Pxe' }, state)).toEqual(refused);
    expect(systemDecider.decide({ type: 'PatchSystem', mode: 'UEFI' }, state)).toEqual(refused);
    expect(systemDecider.decide({ type: 'InsertMedia', device: 'Cd', image: 'http://x/a.iso' }, state)).toEqual(
      refused,
    );
    expect(systemDecider.decide({ type: 'PatchSystem', assetTag: 'rack-1' }, state)).toEqual([
      { type: 'AssetTagChanged', data: { assetTag: 'rack-1' } },
    ]);
  });

  it('turns a reset into a request, and refuses it while the domain is missing', () => {
    expect(
      run([
        { type: 'RegisterSystem', ...registration },
        { type: 'ResetSystem', resetType: 'ForceRestart' },
      ]).events.at(-1),
    ).toEqual({
      type: 'ResetRequested',
      data: { resetType: 'ForceRestart' },
    });
    const { state } = run([{ type: 'RegisterSystem', ...registration }, { type: 'ObserveDomainMissing' }]);
    expect(systemDecider.decide({ type: 'ResetSystem', resetType: 'On' }, state)).toMatchObject({
      kind: 'problem',
      status: 409,
      messageId: 'ResourceInUse',
    });
  });

  it('records the outcome of a reset as applied or failed', () => {
    const applied = systemDecider.decide(
      { type: 'RecordResetOutcome', resetType: 'On', requestedAt: 7 },
      systemDecider.initialState,
    );
    const failed = systemDecider.decide(
      { type: 'RecordResetOutcome', resetType: 'On', requestedAt: 7, message: 'no' },
      systemDecider.initialState,
    );
    expect(applied).toEqual([{ type: 'ResetApplied', data: { resetType: 'On', requestedAt: 7 } }]);
    expect(failed).toEqual([{ type: 'ResetFailed', data: { resetType: 'On', requestedAt: 7, message: 'no' } }]);
  });

  describe('a failed reset', () => {
    const running: SystemCommand[] = [
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'On' },
    ];
    const off: SystemCommand[] = [...running.slice(0, 2), { type: 'ObservePowerState', powerState: 'Off' }];
    const failed = (resetType: ResetType, requestedAt = 9): SystemCommand => ({
      type: 'RecordResetOutcome',
      resetType,
      requestedAt,
      message: 'libvirt said no',
    });

    it('stands, with what it was for, until a later reset succeeds', () => {
      expect(run([...running, failed('ForceOff')]).state.resetFailure).toEqual({
        resetType: 'ForceOff',
        requestedAt: 9,
        aim: 'Off',
      });
      expect(
        run([...running, failed('ForceOff'), { type: 'RecordResetOutcome', resetType: 'Nmi', requestedAt: 11 }]).state
          .resetFailure,
      ).toBeUndefined();
    });

    it('is replaced by a newer failure', () => {
      expect(run([...running, failed('ForceOff'), failed('Nmi', 12)]).state.resetFailure).toEqual({
        resetType: 'Nmi',
        requestedAt: 12,
      });
    });

    it('is over once the machine is seen where the reset was to take it, and not before', () => {
      expect(
        run([...running, failed('GracefulShutdown'), { type: 'ObservePowerState', powerState: 'Off' }]).state
          .resetFailure,
      ).toBeUndefined();
      const paused = run([...off, failed('On'), { type: 'ObservePowerState', powerState: 'Paused' }]);
      expect(paused.state.resetFailure).toEqual({ resetType: 'On', requestedAt: 9, aim: 'On' });
      expect(
        run([
          ...off,
          failed('On'),
          { type: 'ObservePowerState', powerState: 'Paused' },
          { type: 'ObservePowerState', powerState: 'On' },
        ]).state.resetFailure,
      ).toBeUndefined();
      // The power button of a machine that is off was to start it.
      expect(run([...off, failed('PushPowerButton')]).state.resetFailure?.aim).toBe('On');
      expect(run([...running, failed('PushPowerButton')]).state.resetFailure?.aim).toBe('Off');
    });

    it('of a restart is over at the next boot; of an NMI, only when a reset succeeds', () => {
      const restart = [...running, failed('ForceRestart')];
      expect(
        run([
          ...restart,
          { type: 'ObservePowerState', powerState: 'Paused' },
          { type: 'ObservePowerState', powerState: 'On' },
        ]).state.resetFailure,
      ).toBeDefined();
      expect(run([...restart, { type: 'ObservePowerState', powerState: 'Off' }]).state.resetFailure).toBeDefined();
      expect(
        run([
          ...restart,
          { type: 'ObservePowerState', powerState: 'Off' },
          { type: 'ObservePowerState', powerState: 'On' },
        ]).state.resetFailure,
      ).toBeUndefined();
      const nmi = run([
        ...running,
        failed('Nmi'),
        { type: 'ObservePowerState', powerState: 'Off' },
        { type: 'ObservePowerState', powerState: 'On' },
      ]);
      expect(nmi.events.map((e) => e.type)).toContain('SystemBooted');
      expect(nmi.state.resetFailure).toEqual({ resetType: 'Nmi', requestedAt: 9 });
    });
  });

  it('sees a boot in a start that passes through Paused, as QEMU starts machines, and not in a resume', () => {
    const base: SystemCommand[] = [
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'Off' },
    ];
    const started = run([
      ...base,
      { type: 'ObservePowerState', powerState: 'Paused' },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(started.events.slice(-3).map((e) => e.type)).toEqual([
      'PowerStateObserved',
      'PowerStateObserved',
      'SystemBooted',
    ]);
    const resumed = run([
      ...base.slice(0, 2),
      { type: 'ObservePowerState', powerState: 'On' },
      { type: 'ObservePowerState', powerState: 'Paused' },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(resumed.events.map((e) => e.type)).not.toContain('SystemBooted');
  });

  it('spends a one-time boot override on the next boot: a start seen as Off to On, or a restart', () => {
    const setup: SystemCommand[] = [
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'Off' },
      { type: 'PatchSystem', target: 'Pxe', enabled: 'Once' },
    ];
    const started = run([...setup, { type: 'ObservePowerState', powerState: 'On' }]);
    expect(started.events.slice(-3).map((e) => e.type)).toEqual([
      'PowerStateObserved',
      'SystemBooted',
      'BootOverrideConsumed',
    ]);
    expect(started.state.bootOverride).toEqual({ target: 'Pxe', enabled: 'Disabled' });

    const restarted = run([
      ...setup.slice(0, 2),
      { type: 'ObservePowerState', powerState: 'On' },
      { type: 'PatchSystem', target: 'Cd', enabled: 'Once' },
      { type: 'RecordResetOutcome', resetType: 'ForceRestart', requestedAt: 9 },
    ]);
    expect(restarted.events.slice(-3).map((e) => e.type)).toEqual([
      'ResetApplied',
      'SystemBooted',
      'BootOverrideConsumed',
    ]);

    const continuous = run([
      ...setup.slice(0, 3),
      { type: 'PatchSystem', target: 'Hdd', enabled: 'Continuous' },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(continuous.events.slice(-2).map((e) => e.type)).toEqual(['PowerStateObserved', 'SystemBooted']);
    expect(continuous.state.bootOverride).toEqual({ target: 'Hdd', enabled: 'Continuous' });
  });

  it('switches the boot mode, and records nothing for a PATCH that changes nothing', () => {
    const { state } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
    ]);
    expect(systemDecider.decide({ type: 'PatchSystem', mode: 'Legacy', enabled: 'Disabled' }, state)).toEqual([]);
    expect(systemDecider.decide({ type: 'PatchSystem', mode: 'UEFI' }, state)).toEqual([
      { type: 'BootModeChanged', data: { mode: 'UEFI' } },
    ]);
    const uefi = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'PatchSystem', mode: 'UEFI' },
    ]).state;
    expect(systemDecider.decide({ type: 'PatchSystem', mode: 'UEFI' }, uefi)).toEqual([]);
  });

  it('turns Secure Boot on for UEFI only, applies it at the next boot, and keeps a secure machine on UEFI', () => {
    const base: SystemCommand[] = [
      { type: 'RegisterSystem', ...registration },
      { type: 'ObserveDomain', ...domain },
      { type: 'ObservePowerState', powerState: 'Off' },
    ];
    expect(systemDecider.decide({ type: 'SetSecureBoot', enabled: true }, run(base).state)).toMatchObject({
      status: 400,
      messageId: 'PropertyValueConflict',
      messageArgs: ['SecureBootEnable', 'BootSourceOverrideMode'],
    });
    const secure = run([...base, { type: 'PatchSystem', mode: 'UEFI' }, { type: 'SetSecureBoot', enabled: true }]);
    expect(secure.state.secureBoot).toEqual({ enabled: true, currentBoot: false });
    expect(systemDecider.decide({ type: 'PatchSystem', mode: 'Legacy' }, secure.state)).toMatchObject({
      status: 400,
      messageId: 'PropertyValueConflict',
    });
    const booted = run([
      ...base,
      { type: 'PatchSystem', mode: 'UEFI' },
      { type: 'SetSecureBoot', enabled: true },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(booted.events.at(-1)).toEqual({ type: 'SecureBootApplied', data: { enabled: true } });
    expect(booted.state.secureBoot).toEqual({ enabled: true, currentBoot: true });
  });

  it('applies pending BIOS settings at the next boot, merged over what is in effect', () => {
    const { events, state } = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'ObservePowerState', powerState: 'Off' },
      { type: 'SetBiosSettings', attributes: { ProcTurboMode: 'Disabled' } },
      { type: 'SetBiosSettings', attributes: { BootRetryCount: 7 } },
      { type: 'ObservePowerState', powerState: 'On' },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'BiosSettingsApplied',
      data: { attributes: { ProcTurboMode: 'Disabled', BootRetryCount: 7 } },
    });
    expect(state.bios).toMatchObject({ ProcTurboMode: 'Disabled', BootRetryCount: 7, ProcVirtualization: 'Enabled' });
    expect(state.pendingBios).toEqual({});
    const reset = run([
      { type: 'RegisterSystem', ...registration },
      { type: 'SetBiosSettings', attributes: { AssetTag: 'x' } },
      { type: 'ResetBios' },
    ]);
    expect(reset.state.pendingBios).toEqual({});
    expect(reset.state.bios['AssetTag']).toBe('');
  });
});
