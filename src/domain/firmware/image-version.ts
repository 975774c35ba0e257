/**
 * The version an image installs: the version its file name carries (`bios-2.1.0.bin` → 2.1.0,
 * `BMC_v3.10.2-rc1.img` → 3.10.2-rc1), or, when the name has none, the first 12 hex digits of its
 * SHA-256, so two different images never pass for the same version.
 *
 * From the name rather than a version file inside the image: any file a lab serves works as an
 * image (firmware images have no common format to read a version from), and the version a client
 * asked for is visible in the request itself.
 */
export function versionOfImage(imageUri: string, sha256: string): string {
  const name = decodeURIComponent(new URL(imageUri).pathname.split('/').pop() ?? '');
  const match = /\d+(?:\.\d+)+(?:[-+][0-9A-Za-z.]+?)?(?=\.[A-Za-z]+$|$)/.exec(name) ?? /\d+(?:\.\d+)+/.exec(name);
  return match ? match[0] : sha256.slice(0, 12);
}
