import { isProblem } from '../domain/decider.js';
import type { RedfishProblem } from '../domain/problem.js';
import { ceilDiv, dataMemberCount } from '../domain/storage/raid/capacity.js';
import type { DriveFacts } from '../domain/storage/raid/drive-facts.js';
import type { AllocatedVolume } from '../domain/storage/raid/free-space.js';
import { planVolume } from '../domain/storage/raid/plan-volume.js';
import { RAID_LEVELS, type SupportedRaidType } from '../domain/storage/raid/raid-levels.js';
import { memberIds } from './collection-members.js';

type Json = Record<string, unknown>;

const links = (value: unknown): string[] =>
  (Array.isArray(value) ? (value as Json[]) : [])
    .map((l) => l?.['@odata.id'])
    .filter((id): id is string => typeof id === 'string');

const isRaidType = (value: unknown): value is SupportedRaidType => typeof value === 'string' && value in RAID_LEVELS;

/**
 * A Volume POSTed to a Storage's Volumes in a mockup is laid out by the same RAID rules as on
 * a libvirt lab (src/domain/storage/raid): the Storage's drives as the tree describes them, the
 * space its volumes already take (each volume's capacity spread over its data members), and the
 * controller's SupportedRAIDTypes when it lists them. Answers the properties the volume gets, or
 * why it cannot be made; undefined when the collection is no Storage's volumes.
 */
export function planMockupVolume(
  collection: string,
  body: Json,
  documents: ReadonlyMap<string, Json>,
): Json | RedfishProblem | undefined {
  if (!collection.endsWith('/Volumes')) return undefined;
  const storage = documents.get(collection.slice(0, -'/Volumes'.length));
  const driveIds = links(storage?.['Drives']);
  if (!storage || driveIds.length === 0) return undefined;
  const drives: DriveFacts[] = driveIds.flatMap((id) => {
    const drive = documents.get(id);
    if (!drive) return [];
    const status = (drive['Status'] ?? {}) as Json;
    return [
      {
        id,
        capacityBytes: Number(drive['CapacityBytes'] ?? 0),
        blockSizeBytes: Number(drive['BlockSizeBytes'] ?? 512),
        mediaType: String(drive['MediaType'] ?? 'HDD'),
        protocol: String(drive['Protocol'] ?? 'SAS'),
        state: String(status['State'] ?? 'Enabled'),
        health: String(status['Health'] ?? 'OK'),
      },
    ];
  });
  const volumes: AllocatedVolume[] = memberIds(documents.get(collection) ?? {}).flatMap((id) => {
    const volume = documents.get(id);
    const members = links((volume?.['Links'] as Json | undefined)?.['Drives']);
    const raidType = volume?.['RAIDType'];
    if (!volume || !isRaidType(raidType) || members.length === 0) return [];
    const layout = { raidType, members, setSize: members.length };
    return [
      {
        id,
        ...layout,
        extentBytes: ceilDiv(Number(volume['CapacityBytes'] ?? 0), Math.max(1, dataMemberCount(layout))),
      },
    ];
  });
  const controllers = Array.isArray(storage['StorageControllers']) ? (storage['StorageControllers'] as Json[]) : [];
  const supported = controllers
    .flatMap((c) => (Array.isArray(c['SupportedRAIDTypes']) ? (c['SupportedRAIDTypes'] as unknown[]) : []))
    .filter(isRaidType);
  const plan = planVolume(
    {
      ...(typeof body['RAIDType'] === 'string' && { raidType: body['RAIDType'] }),
      ...(typeof body['VolumeType'] === 'string' && { volumeType: body['VolumeType'] }),
      drives: links((body['Links'] as Json | undefined)?.['Drives']),
      ...(typeof body['CapacityBytes'] === 'number' && { capacityBytes: body['CapacityBytes'] }),
      ...(typeof body['StripSizeBytes'] === 'number' && { stripSizeBytes: body['StripSizeBytes'] }),
      ...(typeof body['MediaSpanCount'] === 'number' && { mediaSpanCount: body['MediaSpanCount'] }),
    },
    drives,
    volumes,
    supported.length > 0 ? { supportedRaidTypes: supported } : {},
  );
  if (isProblem(plan)) return plan;
  return {
    RAIDType: plan.raidType,
    CapacityBytes: plan.capacityBytes,
    BlockSizeBytes: plan.blockSizeBytes,
    ...(plan.stripSizeBytes !== undefined && { StripSizeBytes: plan.stripSizeBytes }),
    Links: { Drives: plan.members.map((id) => ({ '@odata.id': id })) },
    Status: { State: 'Enabled', Health: 'OK' },
  };
}
