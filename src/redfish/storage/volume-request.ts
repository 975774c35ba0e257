import type { VolumeRequest } from '../../domain/storage/raid/plan-volume.js';
import { APPLY_TIMES, type ApplyTime } from '../../domain/storage/storage-events.js';
import { baseMessage, type RedfishMessage } from '../../registries/base-registry.js';

const APPLY_TIME = '@Redfish.OperationApplyTime';

/** Properties a Volume shows but a client cannot set. */
const READ_ONLY = [
  'Id',
  'Status',
  'Identifiers',
  'BlockSizeBytes',
  'Operations',
  'Actions',
  'Encrypted',
  'OperationApplyTimeSupport',
  'VolumeUsage',
];

export interface VolumeCreateBody {
  readonly name?: string;
  readonly applyTime: ApplyTime;
  readonly request: VolumeRequest;
}

const typeError = (value: unknown, name: string, pointer: string) =>
  baseMessage('PropertyValueTypeError', [JSON.stringify(value) ?? String(value), name], [pointer]);

/** `@Redfish.OperationApplyTime` of a request body: Immediate when absent. */
export function readApplyTime(body: Record<string, unknown>, problems: RedfishMessage[]): ApplyTime {
  const value = body[APPLY_TIME];
  if (value === undefined) return 'Immediate';
  if (typeof value !== 'string') problems.push(typeError(value, APPLY_TIME, `/${APPLY_TIME}`));
  else if (!(APPLY_TIMES as readonly string[]).includes(value))
    problems.push(baseMessage('PropertyValueNotInList', [value, APPLY_TIME], [`/${APPLY_TIME}`]));
  else return value as ApplyTime;
  return 'Immediate';
}

/** A name a client gives a volume (its Name at create, its DisplayName after): text of 1 to 64 characters. */
export function readVolumeName(value: unknown, problems: RedfishMessage[], property = 'Name'): string | undefined {
  if (typeof value !== 'string') problems.push(typeError(value, property, `/${property}`));
  else if (value.trim().length === 0 || value.length > 64)
    problems.push(baseMessage('PropertyValueFormatError', [value, property], [`/${property}`]));
  else return value;
  return undefined;
}

/**
 * The body of POST …/Volumes as a create request, or every reason it is not one. Shapes are
 * checked here (types, the link objects, properties a client cannot set); numbers, levels and
 * drives are the RAID rules' to judge.
 */
export function readVolumeCreateBody(body: unknown): VolumeCreateBody | RedfishMessage[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return [baseMessage('MalformedJSON')];
  const fields = body as Record<string, unknown>;
  const problems: RedfishMessage[] = [];
  const request: { -readonly [K in keyof VolumeRequest]: VolumeRequest[K] } = { drives: [] };
  let name: string | undefined;
  for (const [property, value] of Object.entries(fields)) {
    const pointer = `/${property}`;
    switch (property) {
      case 'Name':
        name = readVolumeName(value, problems);
        break;
      case 'RAIDType':
      case 'VolumeType':
        if (typeof value !== 'string') problems.push(typeError(value, property, pointer));
        else request[property === 'RAIDType' ? 'raidType' : 'volumeType'] = value;
        break;
      case 'CapacityBytes':
      case 'StripSizeBytes':
      case 'MediaSpanCount': {
        // The RAID rules tell a wrong type, a fraction and an out-of-range count apart.
        const key = (
          {
            CapacityBytes: 'capacityBytes',
            StripSizeBytes: 'stripSizeBytes',
            MediaSpanCount: 'mediaSpanCount',
          } as const
        )[property];
        if (value !== null) request[key] = value as number;
        break;
      }
      case 'Encrypted':
        // Clients (Ironic among them) send Encrypted: false; an emulated controller cannot encrypt.
        if (typeof value !== 'boolean') problems.push(typeError(value, property, pointer));
        else if (value) problems.push(baseMessage('PropertyValueNotInList', ['true', property], [pointer]));
        break;
      case 'Links':
        request.drives = readDriveLinks(value, problems);
        break;
      default:
        if (property.startsWith('@')) break;
        problems.push(
          READ_ONLY.includes(property)
            ? baseMessage('PropertyNotWritable', [property], [pointer])
            : baseMessage('PropertyUnknown', [property], [pointer]),
        );
    }
  }
  const applyTime = readApplyTime(fields, problems);
  if (problems.length > 0) return problems;
  return { applyTime, request, ...(name !== undefined && { name }) };
}

function readDriveLinks(links: unknown, problems: RedfishMessage[]): string[] {
  if (typeof links !== 'object' || links === null || Array.isArray(links)) {
    problems.push(typeError(links, 'Links', '/Links'));
    return [];
  }
  const drives: string[] = [];
  for (const [property, value] of Object.entries(links as Record<string, unknown>)) {
    if (property !== 'Drives') {
      if (!property.startsWith('@')) problems.push(baseMessage('PropertyUnknown', [property], [`/Links/${property}`]));
      continue;
    }
    if (!Array.isArray(value)) {
      problems.push(typeError(value, 'Links/Drives', '/Links/Drives'));
      continue;
    }
    value.forEach((entry: unknown, index) => {
      const id =
        typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)['@odata.id'] : undefined;
      if (typeof id === 'string') drives.push(id);
      else problems.push(typeError(entry, `Links/Drives/${index}`, `/Links/Drives/${index}`));
    });
  }
  return drives;
}
