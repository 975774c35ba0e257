import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { LibvirtClient } from '../../src/libvirt/client.js';
import { volumeXml } from '../../src/libvirt/xml/storage-xml.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import type { DomainHandle } from '../../src/libvirt/structs.js';
import { createTempPool, removeDomain, uniqueName } from '../support/libvirt.js';
import { runCli } from '../support/run-cli.js';

let client: LibvirtClient;
let temp: Awaited<ReturnType<typeof createTempPool>>;
let domain: DomainHandle;
const domainName = uniqueName('inspect');

beforeAll(async () => {
  client = await LibvirtClient.connect('qemu:///system');
  temp = await createTempPool(client);
  await client.volumeCreateXml(temp.pool, volumeXml({ name: 'seen.qcow2', capacityBytes: 16 * 1024 * 1024 }));
  domain = await client.domainDefineXml(
    demoDomainXml({ name: domainName, uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:aa' }),
  );
});
afterAll(async () => {
  await removeDomain(client, domain);
  await temp.remove();
  await client.close();
});

describe('redfish-emulator libvirt inspect', () => {
  it('lists pools with their volumes and domains with their states, as JSON', () => {
    const run = runCli(['libvirt', 'inspect', '--uri', 'qemu:///system', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const inventory = JSON.parse(run.stdout) as {
      libvirtVersion: string;
      pools: { name: string; state: string; volumes: { name: string; path: string; capacityBytes: number }[] }[];
      domains: { name: string; state: string }[];
    };
    expect(inventory.libvirtVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(inventory.pools.find((p) => p.name === temp.pool.name)).toMatchObject({
      state: 'Running',
      volumes: [{ name: 'seen.qcow2', path: `${temp.path}/seen.qcow2`, capacityBytes: 16 * 1024 * 1024 }],
    });
    expect(inventory.domains.find((d) => d.name === domainName)).toMatchObject({ state: 'Shutoff' });
  });

  it('prints tables by default, and reads the URI from the environment', () => {
    const run = runCli(['libvirt', 'inspect'], { REDFISH_EMULATOR_LIBVIRT_URI: 'test:///default' });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^test:\/\/\/default on .*, libvirt \d+\.\d+\.\d+\n/);
    // The driver's domains are shared with suites running beside this one: "test" is one row of the table, anywhere.
    expect(run.stdout).toMatch(
      /\nDOMAIN\s+STATE\s+ID\s+UUID\n(?:.*\n)*?test\s+Running\s+\d+\s+6695eb01-f6a4-8304-79aa-97f2502e193f\n/,
    );
  });

  it('explains a daemon that is not there and exits 1', () => {
    const run = runCli(['libvirt', 'inspect', '--uri', 'qemu:///system?socket=/run/rfe-test-none/sock']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no libvirt daemon socket at /run/rfe-test-none/sock');
  });
});
