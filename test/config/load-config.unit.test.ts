import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { useTempDirs } from '../support/temp-dir.js';
import { labSystems } from '../../src/lab/lab-systems.js';

const tempDir = useTempDirs();

function configFile(content: unknown): string {
  const file = join(tempDir(), 'config.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('loadConfig', () => {
  it('gives the embedded default: loopback, SQLite in a data directory, a demo lab with a six-drive RAID controller', () => {
    const config = loadConfig({ env: {} });
    expect(config.listen.address).toBe('127.0.0.1');
    expect(config.database.file).toMatch(/\.db$/);
    expect(config.libvirt.uri).toBe('qemu:///system');
    const drives = config.lab.systems.flatMap((s) => s.storage ?? []).flatMap((st) => st.drives);
    expect(drives.length).toBeGreaterThanOrEqual(6);
    expect(new Set(drives.map((d) => d.mediaType))).toEqual(new Set(['HDD', 'SSD']));
    expect(new Set(drives.map((d) => d.capacityBytes)).size).toBeGreaterThanOrEqual(2);
  });

  it('merges a file over the default, then the environment, then the command line', () => {
    const file = configFile({ listen: { port: 9001 }, dataDir: '/tmp/from-file' });
    expect(loadConfig({ file, env: {} }).listen).toMatchObject({ port: 9001, address: '127.0.0.1' });
    const env = { REDFISH_EMULATOR_PORT: '9002', REDFISH_EMULATOR_DATA_DIR: '/tmp/from-env' };
    expect(loadConfig({ file, env })).toMatchObject({ listen: { port: 9002 }, dataDir: '/tmp/from-env' });
    const both = loadConfig({ file, env, overrides: { port: 9003, libvirtUri: 'test:///default' } });
    expect(both).toMatchObject({
      listen: { port: 9003 },
      dataDir: '/tmp/from-env',
      libvirt: { uri: 'test:///default' },
    });
    expect(loadConfig({ env: { REDFISH_EMULATOR_CONFIG: file } }).listen.port).toBe(9001);
  });

  it('takes a tls setting whole: own files replace the default self-signed certificate, false turns HTTPS off', () => {
    expect(loadConfig({ env: {} }).tls).toEqual({ selfSigned: true });
    const files = configFile({ tls: { certFile: '/etc/x/cert.pem', keyFile: '/etc/x/key.pem' } });
    expect(loadConfig({ file: files, env: {} }).tls).toEqual({
      certFile: '/etc/x/cert.pem',
      keyFile: '/etc/x/key.pem',
    });
    expect(loadConfig({ file: configFile({ tls: false }), env: {} }).tls).toBe(false);
  });

  it('replaces arrays instead of merging them', () => {
    const file = configFile({ lab: { systems: [{ id: 'only', domain: 'dom-only' }] } });
    expect(loadConfig({ file, env: {} }).lab.systems.map((s) => s.id)).toEqual(['only']);
  });

  it("takes each system's BIOS and BMC firmware versions, and a CA for update images", () => {
    const file = configFile({
      updateService: { caFile: '/etc/lab/ca.pem' },
      lab: { systems: [{ id: 'a', domain: 'x', biosVersion: '2.4.1', bmcFirmwareVersion: '5.10.0-rc1' }] },
    });
    const config = loadConfig({ file, env: {} });
    expect(config.lab.systems[0]).toMatchObject({ biosVersion: '2.4.1', bmcFirmwareVersion: '5.10.0-rc1' });
    expect(config.updateService).toEqual({ caFile: '/etc/lab/ca.pem' });
  });

  it.each([
    [{ listen: { port: 70000 } }, 'listen.port: must be <= 65535'],
    [{ listen: { prot: 1 } }, 'listen.prot: unknown key'],
    [{ database: { durability: 'sometimes' } }, 'database.durability: must be one of "process", "power"'],
    [{ lab: { systems: [{ id: 'a' }] } }, 'lab.systems[0].domain: missing (required)'],
    [{ lab: { systems: [{ id: 'a b', domain: 'x' }] } }, 'lab.systems[0].id: must match pattern'],
    [
      {
        lab: {
          systems: [
            {
              id: 'a',
              domain: 'x',
              storage: [{ id: 's', drives: [{ id: '0', capacityBytes: 'big', mediaType: 'HDD', protocol: 'SAS' }] }],
            },
          ],
        },
      },
      'lab.systems[0].storage[0].drives[0].capacityBytes: must be integer',
    ],
    [
      { lab: { systems: [{ id: 'a', domain: 'x', biosVersion: '' }] } },
      'lab.systems[0].biosVersion: must NOT have fewer than 1 characters',
    ],
    [
      { lab: { systems: [{ id: 'a', domain: 'x', bmcFirmwareVersion: 'v 2' }] } },
      'lab.systems[0].bmcFirmwareVersion: must match pattern',
    ],
    [{ updateService: { caFile: 7 } }, 'updateService.caFile: must be string'],
    [
      {
        lab: {
          systems: [
            { id: 'a', domain: 'x' },
            { id: 'a', domain: 'y' },
          ],
        },
      },
      "lab.systems[1].id: 'a' is used twice",
    ],
    [
      {
        lab: {
          systems: [
            { id: 'a', domain: 'x' },
            { id: 'b', domain: 'x' },
          ],
        },
      },
      "lab.systems[1].domain: 'x' is used twice",
    ],
    [{ lab: { network: { type: 'bridge' } } }, 'lab.network.name: missing (required)'],
    [{ lab: { network: { type: 'user', name: 'default' } } }, 'lab.network.name: not allowed here'],
    [
      { lab: { network: { type: 'macvtap', name: 'eth0' } } },
      'lab.network.type: must be one of "user", "network", "bridge"',
    ],
    [
      { lab: { systems: [{ id: 'a', domain: 'x', network: { type: 'network' } }] } },
      'lab.systems[0].network.name: missing (required)',
    ],
    [{ lab: { systems: [{ id: 'a', domain: 'x', rootDiskGiB: -1 }] } }, 'lab.systems[0].rootDiskGiB: must be >= 0'],
    [{ lab: { systems: [{ id: 'a', domain: 'x', rootDiskGiB: 1.5 }] } }, 'lab.systems[0].rootDiskGiB: must be integer'],
    [
      { lab: { systems: [{ id: 'a', domain: 'x', manufacturer: '' }] } },
      'lab.systems[0].manufacturer: must NOT have fewer than 1 characters',
    ],
    [{ lab: { systems: [{ id: 'a', domain: 'x', sku: 7 }] } }, 'lab.systems[0].sku: must be string'],
    [{ lab: { notifications: {} } }, 'lab.notifications.url: missing (required)'],
    [{ lab: { notifications: { url: 'ftp://x/' } } }, 'lab.notifications.url: must match pattern'],
    [
      { lab: { notifications: { url: 'http://x/', certFile: 'c.pem' } } },
      'lab.notifications: must have property keyFile when property certFile is present',
    ],
    [{ lab: { notifications: { url: 'http://x/', attempts: 0 } } }, 'lab.notifications.attempts: must be >= 1'],
    [
      { lab: { notifications: { url: 'http://x/', systems: 'some' } } },
      'lab.notifications.systems: must be one of "all", "simulated"',
    ],
  ])('names the bad key and what was expected: %j', (content, message) => {
    const file = configFile(content);
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file, env: {} })).toThrow(message);
  });

  it('ships a demo lab Ironic can provision: 1 GiB, a root disk Ironic counts, a NIC on the lab network, a maker identity', () => {
    const config = loadConfig({ env: {} });
    expect(config.lab.network).toEqual({ type: 'user' });
    const systems = labSystems(config);
    expect(systems.length).toBeGreaterThanOrEqual(3);
    for (const system of systems) {
      expect(system.memoryMiB).toBeGreaterThanOrEqual(1024);
      // Ironic's redfish inspection counts disks of 4 GiB and more.
      expect(system.rootDiskGiB).toBeGreaterThanOrEqual(5);
      expect(system.network).toEqual({ type: 'user' });
      expect(Object.values(system.inventory).every((value) => value.length > 0)).toBe(true);
    }
  });

  it('takes a network, a root disk size and the maker identity per system, the lab network otherwise', () => {
    const file = configFile({
      lab: {
        network: { type: 'network', name: 'default' },
        systems: [
          {
            id: 'a',
            domain: 'x',
            network: { type: 'bridge', name: 'br0' },
            rootDiskGiB: 0,
            manufacturer: 'Contoso',
            model: 'R1',
            serialNumber: 'SN1',
            sku: 'SKU1',
          },
          { id: 'b', domain: 'y' },
        ],
      },
    });
    const [a, b] = labSystems(loadConfig({ file, env: {} }));
    expect(a).toMatchObject({
      network: { type: 'bridge', name: 'br0' },
      rootDiskGiB: 0,
      inventory: { manufacturer: 'Contoso', model: 'R1', serialNumber: 'SN1', sku: 'SKU1' },
    });
    expect(b).toMatchObject({
      network: { type: 'network', name: 'default' },
      rootDiskGiB: 0,
      memoryMiB: 128,
      inventory: { serialNumber: 'EMU-b' },
    });
  });

  it('refuses a bad port from the environment naming the variable', () => {
    expect(() => loadConfig({ env: { REDFISH_EMULATOR_PORT: 'eighty' } })).toThrow(
      /REDFISH_EMULATOR_PORT: expected a port number/,
    );
  });

  it('says which file is missing or not JSON', () => {
    expect(() => loadConfig({ file: '/nonexistent/config.json', env: {} })).toThrow(
      /cannot read config file \/nonexistent\/config.json/,
    );
    const file = configFile('{ "listen": ');
    expect(() => loadConfig({ file, env: {} })).toThrow(new RegExp(`${file} is not valid JSON`));
  });

  it("takes change notifications, their files from the config file's directory", () => {
    const file = configFile({
      lab: { notifications: { url: 'https://ipa:9999', caFile: 'ca.pem', certFile: 'c.pem', keyFile: 'k.pem' } },
    });
    const dir = join(file, '..');
    expect(loadConfig({ file, env: {} }).lab.notifications).toEqual({
      url: 'https://ipa:9999',
      caFile: join(dir, 'ca.pem'),
      certFile: join(dir, 'c.pem'),
      keyFile: join(dir, 'k.pem'),
    });
    const some = configFile({ lab: { notifications: { url: 'http://ipa:9999', systems: ['node-1'] } } });
    expect(loadConfig({ file: some, env: {} }).lab.notifications?.systems).toEqual(['node-1']);
  });

  it('takes a role per account in auth.roles, and refuses a role Redfish does not define, naming the key', () => {
    const roles = { monitor: 'ReadOnly', ops: 'Operator', root: 'Administrator' };
    expect(loadConfig({ file: configFile({ auth: { enabled: true, roles } }), env: {} }).auth.roles).toEqual(roles);
    expect(loadConfig({ env: {} }).auth.roles).toBeUndefined();
    const bad = configFile({ auth: { enabled: true, roles: { monitor: 'Viewer' } } });
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ file: bad, env: {} })).toThrow(
      /auth\.roles\.monitor.*must be one of "Administrator", "Operator", "ReadOnly"/,
    );
  });
});
