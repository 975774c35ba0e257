import { problem, type RedfishProblem } from '../../problem.js';
import { isDriveUsable, type DriveFacts } from './drive-facts.js';

const DRIVES = 'Links/Drives';

/**
 * The drives a create request names, in order, each checked in turn:
 * - listed twice: PropertyValueConflict between the two array entries;
 * - not a drive of this storage subsystem (unknown, or behind another controller):
 *   ResourceNotFound for the drive the link names, as 400: the request, not its URI, is wrong;
 * - failed, absent or disabled: PropertyValueResourceConflict with the drive's own state;
 * - unlike the first member in media type, protocol or block size:
 *   PropertyValueResourceConflict naming the first member. Controllers refuse to mix HDD with
 *   SSD (or SMR), SAS with SATA or NVMe, and 512-byte with 4 KiB sectors in one volume.
 */
export function resolveMemberDrives(
  references: readonly string[],
  drives: readonly DriveFacts[],
): readonly DriveFacts[] | RedfishProblem {
  const byId = new Map(drives.map((drive) => [drive.id, drive]));
  const firstIndex = new Map<string, number>();
  const members: DriveFacts[] = [];
  for (const [index, reference] of references.entries()) {
    const pointer = [`#/${DRIVES}/${index}`];
    const earlier = firstIndex.get(reference);
    if (earlier !== undefined) {
      return problem(
        400,
        'PropertyValueConflict',
        [`${DRIVES}/${index}`, `${DRIVES}/${earlier}`],
        [...pointer, `#/${DRIVES}/${earlier}`],
      );
    }
    firstIndex.set(reference, index);
    const drive = byId.get(reference);
    if (drive === undefined) return problem(400, 'ResourceNotFound', ['Drive', reference], pointer);
    if (!isDriveUsable(drive))
      return problem(400, 'PropertyValueResourceConflict', [DRIVES, reference, reference], pointer);
    const first = members[0];
    if (first !== undefined && !alike(first, drive)) {
      return problem(400, 'PropertyValueResourceConflict', [DRIVES, reference, first.id], pointer);
    }
    members.push(drive);
  }
  return members;
}

function alike(a: DriveFacts, b: DriveFacts): boolean {
  return a.mediaType === b.mediaType && a.protocol === b.protocol && a.blockSizeBytes === b.blockSizeBytes;
}
