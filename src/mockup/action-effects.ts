import { problem, type RedfishProblem } from '../domain/problem.js';

type Json = Record<string, unknown>;

/** A change an action makes to one resource of the tree. */
export interface ActionEffect {
  readonly odataId: string;
  readonly changes: Json;
}

const linkOf = (value: unknown): string | undefined => {
  const id = (value as Json | undefined)?.['@odata.id'];
  return typeof id === 'string' ? id.replace(/\/+$/, '') : undefined;
};

/** The changes a resource's own version can show: those of properties it has, besides Image and Inserted. */
function onlyKnown(resource: Json, changes: Json): Json {
  return Object.fromEntries(
    Object.entries(changes).filter(([key]) => key in resource || key === 'Image' || key === 'Inserted'),
  );
}

/** The power state a reset leaves a system in, and whether the system boots on the way. */
function afterReset(resetType: string, before: unknown): { power: 'On' | 'Off'; boots: boolean } {
  switch (resetType) {
    case 'ForceOff':
    case 'GracefulShutdown':
      return { power: 'Off', boots: false };
    case 'On':
    case 'ForceOn':
      return { power: 'On', boots: before !== 'On' };
    case 'PushPowerButton':
      return before === 'On' ? { power: 'Off', boots: false } : { power: 'On', boots: true };
    case 'Nmi':
    case 'Pause':
    case 'Resume':
    case 'Suspend':
      return { power: before === 'Off' ? 'Off' : 'On', boots: false };
    default:
      // ForceRestart, GracefulRestart, PowerCycle, FullPowerCycle, and a reset that names no type.
      return { power: 'On', boots: true };
  }
}

/**
 * What a boot does to what waits for it, as a real server's firmware does: the BIOS settings
 * PATCHed to the Settings object take effect, and a one-time boot override is spent.
 */
function bootEffects(system: Json, documents: ReadonlyMap<string, Json>): ActionEffect[] {
  const effects: ActionEffect[] = [];
  const biosId = linkOf(system['Bios']);
  const bios = biosId ? documents.get(biosId) : undefined;
  const settingsId = linkOf((bios?.['@Redfish.Settings'] as Json | undefined)?.['SettingsObject']);
  const settings = settingsId ? documents.get(settingsId) : undefined;
  const pending = settings?.['Attributes'] as Json | undefined;
  if (biosId && pending && Object.keys(pending).length > 0) {
    const current = (bios!['Attributes'] ?? {}) as Json;
    const changed = Object.fromEntries(Object.entries(pending).filter(([name, value]) => current[name] !== value));
    if (Object.keys(changed).length > 0) effects.push({ odataId: biosId, changes: { Attributes: changed } });
  }
  const boot = system['Boot'] as Json | undefined;
  if (boot?.['BootSourceOverrideEnabled'] === 'Once')
    effects.push({
      odataId: system['@odata.id'] as string,
      changes: { Boot: { BootSourceOverrideEnabled: 'Disabled' } },
    });
  return effects;
}

/**
 * What an action the emulator understands changes in the tree: ComputerSystem.Reset its
 * PowerState (and a boot what waits for it), VirtualMedia insert and eject the medium. Any other
 * action the schema has is recorded and changes nothing.
 */
export function actionEffects(
  odataId: string,
  action: string,
  parameters: Json,
  documents: ReadonlyMap<string, Json>,
): ActionEffect[] | RedfishProblem {
  const resource = documents.get(odataId)!;
  switch (action) {
    case '#ComputerSystem.Reset': {
      const resetType = typeof parameters['ResetType'] === 'string' ? parameters['ResetType'] : 'ForceRestart';
      const { power, boots } = afterReset(resetType, resource['PowerState']);
      const effects: ActionEffect[] =
        resource['PowerState'] === power ? [] : [{ odataId, changes: { PowerState: power } }];
      return boots ? [...effects, ...bootEffects(resource, documents)] : effects;
    }
    case '#VirtualMedia.InsertMedia': {
      if (resource['Inserted'] === true && resource['Image']) return problem(409, 'ResourceInUse');
      const image = parameters['Image'];
      if (typeof image !== 'string' || image === '')
        return problem(400, 'ActionParameterMissing', ['VirtualMedia.InsertMedia', 'Image'], ['/Image']);
      const name = image.split('?')[0]!.split('/').pop() ?? image;
      return [
        {
          odataId,
          changes: onlyKnown(resource, {
            Image: image,
            ImageName: name,
            Inserted: parameters['Inserted'] ?? true,
            WriteProtected: parameters['WriteProtected'] ?? true,
            ConnectedVia: 'URI',
            ...(typeof parameters['TransferProtocolType'] === 'string' && {
              TransferProtocolType: parameters['TransferProtocolType'],
            }),
          }),
        },
      ];
    }
    case '#VirtualMedia.EjectMedia':
      return [
        {
          odataId,
          changes: onlyKnown(resource, { Image: null, ImageName: null, Inserted: false, ConnectedVia: 'NotConnected' }),
        },
      ];
    default:
      return [];
  }
}
