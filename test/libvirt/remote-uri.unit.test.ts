import { describe, expect, it } from 'vitest';
import { sshArguments, tlsFiles, TLS_FILES } from '../../src/libvirt/transport.js';
import { parseLibvirtUri } from '../../src/libvirt/uri.js';

describe("libvirt's remote URI parameters", () => {
  it('reads pkipath= of a TLS URI as the directory of the CA, client certificate and key', () => {
    const { endpoint } = parseLibvirtUri('test+tls://127.0.0.1:16600/default?pkipath=/srv/pki');
    expect(endpoint).toEqual({ transport: 'tls', host: '127.0.0.1', port: 16600, pkiPath: '/srv/pki' });
    expect(tlsFiles('/srv/pki')).toEqual({
      ca: '/srv/pki/cacert.pem',
      cert: '/srv/pki/clientcert.pem',
      key: '/srv/pki/clientkey.pem',
    });
    expect(tlsFiles(undefined)).toEqual(TLS_FILES);
  });

  it('reads keyfile=, known_hosts=, no_verify= and socket= of an ssh URI, and leaves them out of the name opened', () => {
    const parsed = parseLibvirtUri(
      'qemu+ssh://root@lab-host:2222/system?keyfile=/k/id&known_hosts=/k/hosts&no_verify=1&socket=/run/x/libvirt-sock',
    );
    expect(parsed.openName).toBe('qemu:///system');
    expect(parsed.endpoint).toEqual({
      transport: 'ssh',
      host: 'lab-host',
      user: 'root',
      port: 2222,
      keyFile: '/k/id',
      knownHosts: '/k/hosts',
      noVerify: true,
      socket: '/run/x/libvirt-sock',
    });
    expect(parseLibvirtUri('qemu+ssh://lab-host/system?no_verify=0').endpoint).toEqual({
      transport: 'ssh',
      host: 'lab-host',
    });
  });

  it('runs virt-ssh-helper on the remote host, or netcat to the socket= given', () => {
    const helper = sshArguments({ transport: 'ssh', host: 'lab-host', user: 'root' }, 'qemu:///system');
    expect(helper.slice(-4)).toEqual(['--', 'lab-host', 'virt-ssh-helper', "'qemu:///system'"]);
    const netcat = sshArguments(
      {
        transport: 'ssh',
        host: 'lab-host',
        port: 2222,
        keyFile: '/k/id',
        knownHosts: '/k/hosts',
        socket: "/run/it's/sock",
      },
      'test:///default',
    );
    expect(netcat).toEqual([
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=15',
      '-e',
      'none',
      '-T',
      '-p',
      '2222',
      '-i',
      '/k/id',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'UserKnownHostsFile=/k/hosts',
      '--',
      'lab-host',
      `'nc' -U '/run/it'\\''s/sock'`,
    ]);
  });
});
