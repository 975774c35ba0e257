import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { OWNER_NAMESPACE, readOwner, withOwner } from '../../src/libvirt/xml/owner-metadata.js';
import { withSettings, SETTINGS_NAMESPACE } from '../../src/libvirt/xml/settings-metadata.js';
import { demoDomainXml } from '../../src/libvirt/xml/demo-domain-xml.js';
import { decideOwnership } from '../../src/lab/domain-ownership.js';

const domain = demoDomainXml({ name: 'd', uuid: randomUUID(), memoryMiB: 64, vcpus: 1, mac: '52:54:00:00:00:01' });

describe("the owner in a domain's metadata", () => {
  it('is absent from a domain no store claimed, and read back as written, beside the other metadata', () => {
    expect(readOwner(domain)).toBeUndefined();
    const withBoth = withOwner(withSettings(domain, { bootOverride: { target: 'Pxe', enabled: 'Once' } }), 'store-a');
    expect(readOwner(withBoth)).toBe('store-a');
    expect(withBoth).toContain(SETTINGS_NAMESPACE);
    // Rewritten, not added: one owner element.
    const rewritten = withOwner(withBoth, 'store-b');
    expect(readOwner(rewritten)).toBe('store-b');
    expect(rewritten.split(OWNER_NAMESPACE)).toHaveLength(2);
  });

  it('reads an owner element written with another prefix (as libvirt may hand it back)', () => {
    const xml = domain.replace(
      '</domain>',
      `<metadata><x:owner xmlns:x="${OWNER_NAMESPACE}" store="store-c"/></metadata></domain>`,
    );
    expect(readOwner(xml)).toBe('store-c');
  });
});

describe('what a store does with a domain', () => {
  it("claims one no store owns, keeps its own, leaves another's alone unless taking over", () => {
    expect(decideOwnership(undefined, 'me', false)).toEqual({ kind: 'claim' });
    expect(decideOwnership('me', 'me', true)).toEqual({ kind: 'mine' });
    expect(decideOwnership('other', 'me', false)).toEqual({ kind: 'elsewhere', owner: 'other' });
    expect(decideOwnership('other', 'me', true)).toEqual({ kind: 'take-over', from: 'other' });
  });
});
