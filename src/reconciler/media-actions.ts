import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LibvirtClient } from '../libvirt/client.js';
import { DeviceModifyFlag, DomainXmlFlag } from '../libvirt/constants.js';
import type { DomainHandle } from '../libvirt/structs.js';
import { cdromDeviceXml } from '../libvirt/xml/device-xml.js';
import { readDomainXml } from '../libvirt/xml/domain-xml.js';

/** The file a system's virtual media image is kept in, inside the lab's pool directory. */
export const mediaFile = (dir: string, systemId: string, device: string) => join(dir, `rfe-media-${systemId}-${device.toLowerCase()}.iso`);

/** Fetches an image by URL into `file`, whole or not at all. */
export async function download(url: string, file: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(30 * 60_000) });
  if (!response.ok || !response.body) throw new Error(`fetching ${url}: HTTP ${response.status}`);
  const partial = `${file}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), createWriteStream(partial, { mode: 0o644 }));
    await rename(partial, file);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}

/**
 * Puts `file` into the domain's CD-ROM drive (or empties it when undefined): in the persistent
 * definition, and in the running machine too when it runs.
 */
export async function setCdromMedia(client: LibvirtClient, domain: DomainHandle, file: string | undefined): Promise<void> {
  const drive = readDomainXml(await client.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find((d) => d.device === 'cdrom');
  if (!drive?.targetDev) throw new Error(`domain ${domain.name} has no CD-ROM drive`);
  const xml = cdromDeviceXml({ sourceFile: file, targetDev: drive.targetDev, bus: drive.targetBus as 'sata' | undefined });
  const running = await client.domainIsActive(domain);
  await client.domainUpdateDevice(domain, xml, DeviceModifyFlag.Config | (running ? DeviceModifyFlag.Live : 0));
}
