/** What the RAID rules need to know about one physical drive of a storage subsystem. */
export interface DriveFacts {
  /**
   * The key a create request's Links.Drives entries are matched against. The drive's
   * @odata.id is the natural choice: refusals then quote the reference the client sent.
   */
  readonly id: string;
  readonly capacityBytes: number;
  readonly blockSizeBytes: number;
  /** Drive.MediaType: 'HDD', 'SSD', 'SMR'. */
  readonly mediaType: string;
  /** Drive.Protocol: 'SAS', 'SATA', 'NVMe'. */
  readonly protocol: string;
  /** Status.State: 'Enabled' for a working drive; 'Absent', 'Disabled', 'UnavailableOffline'... */
  readonly state: string;
  /** Status.Health: 'OK', 'Warning' (e.g. failure predicted), 'Critical' (failed). */
  readonly health: string;
}

/**
 * Only a present, enabled, healthy drive takes part in a new volume. A drive predicting its own
 * failure (Health Warning) is refused too, as controllers refuse to build on one.
 */
export function isDriveUsable(drive: DriveFacts): boolean {
  return drive.state === 'Enabled' && drive.health === 'OK';
}
