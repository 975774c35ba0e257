/**
 * What a stream id names: the streams of the lab's aggregates are the `@odata.id`s of their
 * resources (`systemStream`, `storageStream`), and this reads one back. The one place that
 * parses them.
 */
export type StreamOwner =
  | { readonly systemId: string; readonly storageId?: undefined }
  | { readonly systemId: string; readonly storageId: string };

const SYSTEM_OR_STORAGE = /^\/redfish\/v1\/Systems\/([^/]+)(?:\/Storage\/([^/]+))?$/;

/** The system a stream belongs to (its own, or one of its storage's), with the storage id for the latter. */
export function streamOwner(streamId: string): StreamOwner | undefined {
  const match = SYSTEM_OR_STORAGE.exec(streamId);
  if (!match) return undefined;
  return match[2] === undefined ? { systemId: match[1]! } : { systemId: match[1]!, storageId: match[2] };
}

/** The system id of a system's own stream; undefined for any other stream. */
export function systemIdOfStream(streamId: string): string | undefined {
  const owner = streamOwner(streamId);
  return owner && owner.storageId === undefined ? owner.systemId : undefined;
}

export const isSystemStream = (streamId: string) => systemIdOfStream(streamId) !== undefined;
export const isStorageStream = (streamId: string) => streamOwner(streamId)?.storageId !== undefined;
