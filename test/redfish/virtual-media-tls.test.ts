import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../src/app.js';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { DomainXmlFlag } from '../../src/libvirt/constants.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { setMedia } from '../../src/reconciler/media-actions.js';
import { queryHistory } from '../../src/eventstore/history-query.js';
import { testConfig } from '../support/config.js';
import { redfishClient } from '../support/redfish-client.js';
import { removeDomain, uniqueName, tearDownLab } from '../support/libvirt.js';
import { acceptedPosition } from '../support/accepted-position.js';
import { makeTestCertificate } from '../support/test-certificate.js';

/*
 * Virtual media from an https image server with a certificate of its own (as a lab's Ironic
 * conductor serves images): without verification, with it and the server's certificate trusted
 * on the device, with credentials; each failure's reason on the drive and in history.
 */

const dir = mkdtempSync(join(tmpdir(), 'rfe-test-vmedia-tls-'));
const poolDir = join(dir, 'pool');
const domainName = uniqueName('vmedia');
const poolName = uniqueName('pool');
const MEDIA = '/redfish/v1/Managers/v1/VirtualMedia/Cd';
const IMAGE = Buffer.from('an ISO, as far as the emulator can tell\n'.repeat(500));
const PASSWORD = 'image-server-secret';
let emulator: RunningEmulator;
let libvirt: LibvirtClient;
let images: Server;
let imageServer: string;
let certificate: string;
const client = redfishClient(() => emulator.url);

/** sushy, as Ironic drives it, against the test's emulator; prints what the script prints. */
async function sushy(lines: string): Promise<string> {
  const script = `import sushy\nc = sushy.Sushy('${emulator.url}/redfish/v1', auth=sushy.auth.BasicAuth('admin', 'password'))\nvm = c.get_manager('/redfish/v1/Managers/v1').virtual_media.get_member('${MEDIA}')\n${lines}`;
  const { REQUESTS_CA_BUNDLE: _, ...env } = process.env;
  const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script], {
    encoding: 'utf8',
    timeout: 30_000,
    env,
  });
  return stdout.trim();
}

const cdromSource = async () =>
  readDomainXml(
    await libvirt.domainGetXml(await libvirt.domainLookupByName(domainName), DomainXmlFlag.Inactive),
  ).disks.find((d) => d.device === 'cdrom')?.sourceFile;

/** Waits until the drive's last insert is carried out; the drive as it then is. */
async function settled(): Promise<Record<string, any>> {
  await expect
    .poll(
      async () =>
        queryHistory(emulator.store.db, { types: ['VirtualMediaInserted', 'VirtualMediaInsertFailed'] }).length,
      { timeout: 20_000, interval: 100 },
    )
    .toBeGreaterThan(insertsSeen);
  insertsSeen = queryHistory(emulator.store.db, { types: ['VirtualMediaInserted', 'VirtualMediaInsertFailed'] }).length;
  return client.get(MEDIA);
}
let insertsSeen = 0;

beforeAll(async () => {
  chmodSync(dir, 0o755);
  makeTestCertificate(dir, '/CN=images.lab/O=Lab images');
  certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
  images = createServer({ cert: certificate, key: readFileSync(join(dir, 'key.pem')) }, (request, response) => {
    const basic = `Basic ${Buffer.from(`lab:${PASSWORD}`).toString('base64')}`;
    if (request.url === '/public/boot.iso') return response.end(IMAGE);
    if (request.url === '/slow/boot.iso') {
      // A tenth of the image every 600 ms: a fetch of six seconds, long enough to be seen going.
      response.writeHead(200, { 'content-length': IMAGE.length });
      let sent = 0;
      const timer = setInterval(() => {
        const next = Math.min(IMAGE.length, sent + Math.ceil(IMAGE.length / 10));
        response.write(IMAGE.subarray(sent, next));
        sent = next;
        if (sent === IMAGE.length) {
          clearInterval(timer);
          response.end();
        }
      }, 600);
      return;
    }
    if (request.url === '/private/boot.iso')
      return request.headers.authorization === basic ? response.end(IMAGE) : response.writeHead(401).end();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
  imageServer = `https://127.0.0.1:${(images.address() as AddressInfo).port}`;
  const { config } = testConfig(dir, {
    auth: { enabled: true },
    libvirt: { uri: 'qemu:///system', pool: { name: poolName, path: poolDir } },
    lab: { createMissingDomains: true, systems: [{ id: 'v1', domain: domainName, memoryMiB: 64 }] },
  });
  libvirt = await LibvirtClient.connect('qemu:///system');
  emulator = await startEmulator(config, { resyncIntervalMs: 1000 });
  await emulator.lab!.ready;
});

afterAll(async () => {
  images?.close();
  await tearDownLab({ emulator, libvirt, domainName, poolName, dir });
});

describe('virtual media from an https image server', { timeout: 90_000 }, () => {
  it('inserts an image from a server with a self-signed certificate when the drive does not verify (the default)', async () => {
    expect(await client.get(MEDIA)).toMatchObject({
      VerifyCertificate: false,
      Certificates: { '@odata.id': `${MEDIA}/Certificates` },
    });
    expect(
      await sushy(
        `print(vm.verify_certificate)\nvm.insert_media('${imageServer}/public/boot.iso')\nvm.refresh()\nprint(vm.inserted, vm.image)`,
      ),
    ).toBe(`False\nTrue ${imageServer}/public/boot.iso`);
    expect(await settled()).toMatchObject({ Inserted: true, Status: { Health: 'OK' } });
    expect(await cdromSource()).toBeDefined();
    expect(readFileSync((await cdromSource())!).equals(IMAGE)).toBe(true);
    // Ejected: empty for the very next GET, before libvirt has done it.
    expect(await sushy('vm.eject_media()\nvm.refresh()\nprint(vm.inserted, vm.image)')).toBe('False None');
  });

  it('refuses the server once the drive verifies, saying why, and trusts it once its certificate is in the drive', async () => {
    expect(
      await sushy(
        `vm.set_verify_certificate(True)\nvm.refresh()\nprint(vm.verify_certificate)\nvm.insert_media('${imageServer}/public/boot.iso')`,
      ),
    ).toBe('True');
    const refused = await settled();
    expect(refused).toMatchObject({ Inserted: false, Image: null, Status: { Health: 'Warning' } });
    const reason = refused['Status']['Conditions'][0]['Message'] as string;
    expect(reason).toContain('is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT');
    const failed = queryHistory(emulator.store.db, { types: ['VirtualMediaInsertFailed'] }).at(-1)!;
    expect((failed.data as { message: string }).message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');

    const added = await sushy(
      `vm.certificates.create_member(${JSON.stringify(certificate)}, sushy.CertificateType.PEM)\nprint([m.identity for m in vm.certificates.get_members()])`,
    );
    expect(added).toBe("['1']");
    expect(await client.get(`${MEDIA}/Certificates/1`)).toMatchObject({
      CertificateType: 'PEM',
      Subject: { CommonName: 'images.lab', Organization: 'Lab images' },
      CertificateString: certificate,
    });
    await sushy(`vm.insert_media('${imageServer}/public/boot.iso')`);
    expect(await settled()).toMatchObject({ Inserted: true, VerifyCertificate: true, Status: { Health: 'OK' } });
    await sushy('vm.eject_media()');

    // A certificate removed is no longer trusted.
    expect((await client.request('DELETE', `${MEDIA}/Certificates/1`)).status).toBe(204);
    expect((await client.get(`${MEDIA}/Certificates`))['Members']).toEqual([]);
    await sushy(`vm.insert_media('${imageServer}/public/boot.iso')`);
    expect(await settled()).toMatchObject({ Inserted: false, Status: { Health: 'Warning' } });
    await sushy('vm.set_verify_certificate(False)');
  });

  it('sends the credentials to the image server, and keeps the password out of the log', async () => {
    await sushy(`vm.insert_media('${imageServer}/private/boot.iso', username='lab', password='wrong')`);
    const refused = await settled();
    expect(refused['Status']['Conditions'][0]['Message']).toContain(
      `HTTP 401 Unauthorized from ${imageServer}/private/boot.iso`,
    );
    await sushy(`vm.insert_media('${imageServer}/private/boot.iso', username='lab', password='${PASSWORD}')`);
    expect(await settled()).toMatchObject({ Inserted: true, UserName: 'lab', Status: { Health: 'OK' } });
    const log = emulator.store.db.prepare('SELECT data, meta FROM events').all() as { data: string; meta: string }[];
    expect(
      log.some((row) => row.data.includes(PASSWORD) || row.meta.includes(PASSWORD) || row.data.includes('wrong')),
    ).toBe(false);
    const views = emulator.store.db.prepare('SELECT body FROM views').all() as { body: string }[];
    expect(views.some((row) => row.body.includes(PASSWORD))).toBe(false);
    // Used, then forgotten: no password stays beside the log either.
    const facts = emulator.store.db.prepare("SELECT key FROM store_facts WHERE key LIKE 'secret:%'").all();
    expect(facts).toEqual([]);
    await sushy('vm.eject_media()');
  });

  it("refuses a protocol that is not the URL's, a certificate that is not PEM, and records nothing", async () => {
    const before = acceptedPosition(emulator.store);
    const insert = await client.request('POST', `${MEDIA}/Actions/VirtualMedia.InsertMedia`, {
      Image: `${imageServer}/public/boot.iso`,
      TransferProtocolType: 'HTTP',
    });
    expect(insert.status).toBe(400);
    expect(((await insert.json()) as any).error['@Message.ExtendedInfo'][0].MessageId).toMatch(
      /ActionParameterValueConflict$/,
    );
    const notPem = await client.request('POST', `${MEDIA}/Certificates`, {
      CertificateString: 'not a certificate',
      CertificateType: 'PEM',
    });
    expect(notPem.status).toBe(400);
    expect(((await notPem.json()) as any).error['@Message.ExtendedInfo'][0].MessageId).toMatch(
      /PropertyValueFormatError$/,
    );
    const wrongType = await client.request('POST', `${MEDIA}/Certificates`, {
      CertificateString: certificate,
      CertificateType: 'PKCS7',
    });
    expect(wrongType.status).toBe(400);
    const patch = await client.request('PATCH', MEDIA, { VerifyCertificate: 'yes' });
    expect(patch.status).toBe(400);
    expect((await client.request('DELETE', `${MEDIA}/Certificates/42`)).status).toBe(404);
    expect(acceptedPosition(emulator.store)).toBe(before);
  });

  it("lists the drive's certificates in CertificateLocations, and replaces one through CertificateService.ReplaceCertificate", async () => {
    const added = await client.request('POST', `${MEDIA}/Certificates`, {
      CertificateString: certificate,
      CertificateType: 'PEM',
    });
    expect(added.status).toBe(201);
    const location = added.headers.get('location')!;
    const locations = await client.get('/redfish/v1/CertificateService/CertificateLocations');
    expect(locations['Links']['Certificates']).toContainEqual({ '@odata.id': location });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=other.images.lab',
        '-keyout',
        join(dir, 'other-key.pem'),
        '-out',
        join(dir, 'other.pem'),
      ],
      { stdio: 'pipe' },
    );
    const other = readFileSync(join(dir, 'other.pem'), 'utf8');
    const replace = (body: unknown) =>
      client.request('POST', '/redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate', body);
    const before = acceptedPosition(emulator.store);
    expect(
      (
        await replace({
          CertificateUri: { '@odata.id': location },
          CertificateString: 'not PEM',
          CertificateType: 'PEM',
        })
      ).status,
    ).toBe(400);
    expect(acceptedPosition(emulator.store)).toBe(before);
    const replaced = await replace({
      CertificateUri: { '@odata.id': location },
      CertificateString: other,
      CertificateType: 'PEM',
    });
    expect(replaced.status).toBe(200);
    expect(await client.get(location)).toMatchObject({
      Subject: { CommonName: 'other.images.lab' },
      CertificateString: other,
    });
    expect((await client.request('DELETE', location)).status).toBe(204);
    expect(
      (await client.get('/redfish/v1/CertificateService/CertificateLocations'))['Links']['Certificates'],
    ).not.toContainEqual({ '@odata.id': location });
  });

  it('shows how far a long fetch has got on the drive and in history, then the drive as usual', async () => {
    await sushy(`vm.insert_media('${imageServer}/slow/boot.iso')`);
    await expect
      .poll(async () => (await client.get(MEDIA))['Status']['State'], { timeout: 15_000, interval: 100 })
      .toBe('Starting');
    const going = (await client.get(MEDIA))['Status']['Conditions'][0]['Message'] as string;
    expect(going).toMatch(/Fetching .*\/slow\/boot\.iso for Cd: [\d.]+ MiB of [\d.]+ MiB \(\d+%\) so far/);
    expect(await settled()).toMatchObject({ Inserted: true, Status: { State: 'Enabled', Health: 'OK' } });
    expect((await client.get(MEDIA))['Status']['Conditions']).toBeUndefined();
    expect(queryHistory(emulator.store.db, { types: ['VirtualMediaDownloadProgressed'] }).length).toBeGreaterThan(0);
    await sushy('vm.eject_media()');
  });

  it('gives a domain without a CD-ROM drive one in its definition', async () => {
    const bare = uniqueName('bare');
    const domain = await libvirt.domainDefineXml(
      `<domain type='qemu'><name>${bare}</name><memory unit='MiB'>32</memory><os><type arch='x86_64'>hvm</type></os><devices></devices></domain>`,
    );
    try {
      const file = join(poolDir, 'bare.iso');
      await setMedia(libvirt, domain, 'Cd', file);
      const cdrom = readDomainXml(await libvirt.domainGetXml(domain, DomainXmlFlag.Inactive)).disks.find(
        (d) => d.device === 'cdrom',
      );
      expect(cdrom?.sourceFile).toBe(file);
    } finally {
      await removeDomain(libvirt, domain);
    }
  });
});
