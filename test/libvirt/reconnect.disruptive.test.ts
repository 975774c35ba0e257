import { afterAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { LibvirtClient, type DomainEvent } from '../../src/libvirt/client.js';
import { buildXml } from '../../src/xml.js';
import { removeDomain, uniqueName } from '../support/libvirt.js';
import { eventually } from '../support/eventually.js';
import { restartLibvirtd } from '../support/restart-libvirtd.js';

let client: LibvirtClient | undefined;
afterAll(async () => {
  await client?.close();
});

const domainXml = (name: string) =>
  buildXml({
    domain: {
      $: { type: 'test' },
      name,
      uuid: randomUUID(),
      memory: { $: { unit: 'MiB' }, _: '32' },
      os: { type: 'hvm' },
    },
  });

describe('the libvirt client across a daemon restart', () => {
  it('reconnects, answers calls made during the outage, and delivers events again', async () => {
    client = await LibvirtClient.connect('test:///default', { callTimeoutMs: 20_000 });
    const c = client;
    const seen: string[] = [];
    const events: DomainEvent[] = [];
    c.on('disconnected', () => seen.push('disconnected'));
    c.on('reconnected', () => seen.push('reconnected'));
    await c.onDomainEvent((e) => events.push(e));

    const restarted = restartLibvirtd();
    await eventually(() => seen.includes('disconnected'), 'the disconnect');
    // Made while the daemon is away: waits for the reconnect instead of failing.
    const duringOutage = c.libVersion();
    await restarted;
    expect(await duringOutage).toBeGreaterThanOrEqual(9_000_000n);
    await eventually(() => seen.includes('reconnected'), 'the reconnect');
    expect(seen.slice(0, 2)).toEqual(['disconnected', 'reconnected']);
    expect(c.connected).toBe(true);

    // The event callback was registered again on the new connection.
    const name = uniqueName('after-restart');
    const domain = await c.domainDefineXml(domainXml(name));
    try {
      await eventually(
        () => events.some((e) => e.domain.name === name && e.kind === 'lifecycle' && e.eventName === 'Defined'),
        'an event after the restart',
      );
    } finally {
      await removeDomain(c, domain);
    }
  });
});
