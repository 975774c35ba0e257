/**
 * The name of the libvirt volume behind a Redfish Volume, decided when the volume is asked for
 * and kept in its VolumeCreateRequested event. It carries a short tag of the store (from the
 * service's UUID), so two stores on one pool never name two volumes alike; volumes asked for
 * before names carried the store keep the name they were made with (legacyBackingVolumeName).
 */

/** What names of one store's volumes of one controller start with. */
export const backingVolumePrefix = (systemId: string, storageId: string, storeTag: string) =>
  `rfe-${systemId}-${storageId}-${storeTag}-vol`;

export const backingVolumeName = (systemId: string, storageId: string, storeTag: string, volumeId: string) =>
  `${backingVolumePrefix(systemId, storageId, storeTag)}${volumeId}.qcow2`;

/** What names of a controller's volumes started with before they carried the store. */
export const legacyBackingVolumePrefix = (systemId: string, storageId: string) => `rfe-${systemId}-${storageId}-vol`;

export const legacyBackingVolumeName = (systemId: string, storageId: string, volumeId: string) =>
  `${legacyBackingVolumePrefix(systemId, storageId)}${volumeId}.qcow2`;

/** A store's tag: the first 8 hex digits of its service UUID, enough to tell the stores of a lab apart. */
export const storeTagOf = (serviceUuid: string) => serviceUuid.replaceAll('-', '').slice(0, 8).toLowerCase();

/** Whose backing volume `name` is, if it is named like one of this controller's: a store's tag, or `legacy`. */
export function backingVolumeOwner(
  name: string,
  systemId: string,
  storageId: string,
): { tag: string | 'legacy'; volumeId: string } | undefined {
  const legacy = legacyBackingVolumePrefix(systemId, storageId);
  if (name.startsWith(legacy)) {
    const volumeId = /^([1-9]\d*)\.qcow2$/.exec(name.slice(legacy.length))?.[1];
    return volumeId === undefined ? undefined : { tag: 'legacy', volumeId };
  }
  const tagged = /^([0-9a-f]{8})-vol([1-9]\d*)\.qcow2$/.exec(
    name.startsWith(`rfe-${systemId}-${storageId}-`) ? name.slice(`rfe-${systemId}-${storageId}-`.length) : '',
  );
  return tagged ? { tag: tagged[1]!, volumeId: tagged[2]! } : undefined;
}
