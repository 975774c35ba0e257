import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { LibvirtClient, type DomainEvent } from '../../src/libvirt/client.js';
import { DomainXmlFlag, ErrorCode } from '../../src/libvirt/constants.js';
import { LibvirtConnectionError, LibvirtError } from '../../src/libvirt/errors.js';
import { uuidFromString, uuidToString } from '../../src/libvirt/structs.js';
import { readDomainXml } from '../../src/libvirt/xml/domain-xml.js';
import { buildXml } from '../../src/xml.js';
import { removeDomain, uniqueName } from '../support/libvirt.js';
import { eventually } from '../support/eventually.js';

/** test:///default keeps its state while a connection is open, so one client spans the file. */
let client: LibvirtClient;
beforeAll(async () => {
  client = await LibvirtClient.connect('test:///default');
});
afterAll(async () => {
  await client?.close();
});

function testDomainXml(name: string, uuid: string): string {
  return buildXml({
    domain: {
      $: { type: 'test' },
      name,
      uuid,
      memory: { $: { unit: 'MiB' }, _: '64' },
      vcpu: '2',
      os: { type: 'hvm', boot: { $: { dev: 'network' } } },
      devices: { interface: { $: { type: 'user' }, mac: { $: { address: '52:54:00:aa:bb:01' } } } },
    },
  });
}

describe('libvirt client on test:///default', () => {
  it('opens the connection and answers the connection procedures', async () => {
    expect(await client.libVersion()).toBeGreaterThanOrEqual(9_000_000n);
    expect((await client.hostname()).length).toBeGreaterThan(0);
    const node = await client.nodeInfo();
    expect(node.cpus).toBeGreaterThan(0);
    expect(node.model.length).toBeGreaterThan(0);
    expect(client.connected).toBe(true);
  });

  it('defines, looks up, reads, starts, stops and undefines a domain, with one event per action', async () => {
    const name = uniqueName('dom');
    const uuid = randomUUID();
    const events: DomainEvent[] = [];
    const stop = await client.onDomainEvent((e) => {
      if (e.domain.name === name) events.push(e);
    });
    const defined = await client.domainDefineXml(testDomainXml(name, uuid));
    try {
      expect(defined.name).toBe(name);
      expect(uuidToString(defined.uuid)).toBe(uuid);
      expect((await client.domainLookupByName(name)).uuid).toEqual(defined.uuid);
      expect((await client.domainLookupByUuid(uuidFromString(uuid))).name).toBe(name);
      expect((await client.domainGetState(defined)).stateName).toBe('Shutoff');
      const description = readDomainXml(await client.domainGetXml(defined, DomainXmlFlag.Inactive));
      expect(description).toMatchObject({
        name,
        uuid,
        vcpus: 2,
        memoryBytes: 64 * 1024 * 1024,
        bootDevices: ['network'],
      });
      expect(description.nics[0]?.mac).toBe('52:54:00:aa:bb:01');

      const running = await client.domainCreate(defined);
      expect(running.id).toBeGreaterThan(0);
      expect((await client.domainGetState(running)).stateName).toBe('Running');
      expect(await client.domainIsActive(running)).toBe(true);
      const listed = await client.listAllDomainsWithState();
      expect(listed.find((d) => d.domain.name === name)?.state.stateName).toBe('Running');
      await client.domainSuspend(running);
      expect((await client.domainGetState(running)).stateName).toBe('Paused');
      await client.domainResume(running);
      await client.domainInjectNmi(running);
      expect((await client.domainGetInfo(running)).vcpus).toBe(2);
      await client.domainShutdown(running);
      expect((await client.domainGetState(running)).stateName).toBe('Shutoff');
      await client.domainCreate(defined);
      await client.domainDestroy(defined);
      await client.domainUndefine(defined);

      await eventually(() => events.length >= 8, 'eight lifecycle events');
      expect(events.map((e) => (e.kind === 'lifecycle' ? e.eventName : e.kind))).toEqual([
        'Defined',
        'Started',
        'Suspended',
        'Resumed',
        'Stopped',
        'Started',
        'Stopped',
        'Undefined',
      ]);
    } finally {
      await removeDomain(client, defined);
      await stop();
    }
  });

  it('turns libvirt errors into typed errors that tell no-domain from others', async () => {
    const error = await client.domainLookupByName(uniqueName('missing')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibvirtError);
    expect(error).toMatchObject({ code: ErrorCode.NoDomain, isNoDomain: true, isNoStoragePool: false });
    expect((error as Error).message).toMatch(/^DOMAIN_LOOKUP_BY_NAME: Domain not found/);
    const pool = await client.poolLookupByName(uniqueName('missing')).catch((e: unknown) => e);
    expect(pool).toMatchObject({ isNoStoragePool: true });
    const badXml = await client.domainDefineXml('<domain type="test"><name>x</name>').catch((e: unknown) => e);
    expect(badXml).toMatchObject({ code: ErrorCode.XmlDetail });
    // The connection stays usable after error replies.
    expect(await client.libVersion()).toBeGreaterThan(0n);
  });

  it('pipelines many calls on one socket and matches every reply to its call', async () => {
    const names = await Promise.all(
      Array.from({ length: 200 }, () => client.domainLookupByName('test').then((d) => d.name)),
    );
    expect(new Set(names)).toEqual(new Set(['test']));
  });
});

describe('connecting', () => {
  it('says which socket and how to start the daemon when nothing listens', async () => {
    const error = await LibvirtClient.connect('qemu:///system?socket=/run/rfe-test-nothing/libvirt-sock').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LibvirtConnectionError);
    expect((error as Error).message).toBe(
      'no libvirt daemon socket at /run/rfe-test-nothing/libvirt-sock: libvirtd is not running; start it with scripts/ensure-libvirtd (or `systemctl start libvirtd`, or `libvirtd -d`)',
    );
  });

  it("opens read-only on the daemon's read-only socket, where changes are refused", async () => {
    const readOnly = await LibvirtClient.connect('test:///default', { readOnly: true });
    try {
      expect((await readOnly.domainLookupByName('test')).name).toBe('test');
      const refused = await readOnly
        .domainDefineXml(testDomainXml(uniqueName('ro'), randomUUID()))
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(LibvirtError);
      expect((refused as Error).message).toMatch(/read only|read-only/i);
    } finally {
      await readOnly.close();
    }
  });
});
