import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LibvirtClient } from '../../src/libvirt/client.js';
import {
  KEEPALIVE_PROGRAM,
  KeepaliveProcedure,
  MessageType,
  Procedure,
  REMOTE_PROGRAM,
} from '../../src/libvirt/constants.js';
import { LibvirtConnectionError, LibvirtTimeoutError } from '../../src/libvirt/errors.js';
import { encodeFrame, FrameSplitter, type Frame } from '../../src/libvirt/frame.js';
import { XdrWriter } from '../../src/libvirt/xdr.js';
import { useTempDirs } from '../support/temp-dir.js';

const tempDir = useTempDirs();
let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

const reply = (call: Frame, payload: Buffer = Buffer.alloc(0)) =>
  encodeFrame({ ...call.header, type: MessageType.Reply }, payload);

/**
 * A peer on a real unix socket that does the handshake like libvirtd, then hands every other
 * call to `misbehave`: for the failures a healthy daemon never shows.
 */
async function scriptedPeer(
  misbehave: (socket: Socket, call: Frame) => void,
  onFrame?: (frame: Frame) => void,
): Promise<string> {
  const path = join(tempDir(), 'peer.sock');
  server = createServer((socket) => {
    const splitter = new FrameSplitter();
    socket.on('data', (chunk) => {
      for (const frame of splitter.push(chunk)) {
        onFrame?.(frame);
        if (frame.header.program !== REMOTE_PROGRAM) continue;
        switch (frame.header.procedure) {
          case Procedure.AuthList:
            socket.write(reply(frame, new XdrWriter().array([0], 20, (w, v) => w.int(v)).bytes()));
            break;
          case Procedure.ConnectOpen:
            socket.write(reply(frame));
            break;
          case Procedure.ConnectSupportsFeature:
            socket.write(reply(frame, new XdrWriter().int(1).bytes()));
            break;
          default:
            misbehave(socket, frame);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(path, resolve));
  return `test:///default?socket=${path}`;
}

describe('the libvirt client against a misbehaving peer', () => {
  it('closes the connection on a malformed frame and fails the call, without crashing', async () => {
    const uri = await scriptedPeer((socket) => socket.write(Buffer.from('00000005deadbeef', 'hex')));
    const client = await LibvirtClient.connect(uri, { reconnect: false });
    const error = await client.libVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LibvirtConnectionError);
    expect((error as Error).message).toMatch(/sent a malformed message: invalid frame length 5/);
    expect(client.connected).toBe(false);
  });

  it("fails a reply whose payload does not match the procedure's structure", async () => {
    const uri = await scriptedPeer((socket, call) =>
      socket.write(reply(call, Buffer.from('000000010000000200000003', 'hex'))),
    );
    const client = await LibvirtClient.connect(uri, { reconnect: false });
    await expect(client.libVersion()).rejects.toThrow(/trailing bytes|truncated/);
    await client.close();
  });

  it('gives up on a call with no reply after its time limit', async () => {
    const uri = await scriptedPeer(() => undefined);
    const client = await LibvirtClient.connect(uri, { callTimeoutMs: 300, reconnect: false });
    const started = Date.now();
    await expect(client.libVersion()).rejects.toBeInstanceOf(LibvirtTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await client.close();
  });

  it("answers the daemon's keepalive PING with PONG, and pings the daemon itself", async () => {
    const keepalive: string[] = [];
    let peerSocket: Socket | undefined;
    const uri = await scriptedPeer(
      () => undefined,
      (frame) => {
        if (frame.header.program === KEEPALIVE_PROGRAM)
          keepalive.push(frame.header.procedure === KeepaliveProcedure.Pong ? 'PONG' : 'PING');
      },
    );
    server!.on('connection', (socket) => (peerSocket = socket));
    const client = await LibvirtClient.connect(uri, {
      keepaliveIntervalMs: 50,
      keepaliveMaxUnanswered: 100,
      reconnect: false,
    });
    peerSocket!.write(
      encodeFrame({
        program: KEEPALIVE_PROGRAM,
        version: 1,
        procedure: KeepaliveProcedure.Ping,
        type: MessageType.Message,
        serial: 0,
        status: 0,
      }),
    );
    await expect.poll(() => keepalive.includes('PONG') && keepalive.includes('PING'), { timeout: 2000 }).toBe(true);
    await client.close();
  });

  it('drops a connection whose peer stops answering keepalive pings', async () => {
    const uri = await scriptedPeer(() => undefined);
    const client = await LibvirtClient.connect(uri, {
      keepaliveIntervalMs: 30,
      keepaliveMaxUnanswered: 3,
      reconnect: false,
    });
    const disconnected = new Promise<Error>((resolve) => client.once('disconnected', resolve));
    expect((await disconnected).message).toMatch(/no answer to 3 keepalive pings/);
  });
});

describe('the ssh transport', () => {
  it('speaks RPC over the stdio of virt-ssh-helper started by ssh', async () => {
    // A stand-in for ssh that runs the remote command here, through a shell as sshd does: the
    // RPC path is the real one, through a real virt-ssh-helper, without needing an ssh server
    // (test/libvirt/multi-host.test.ts has a real one).
    const bin = tempDir();
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'ssh'),
      '#!/bin/sh\nwhile [ "$#" -gt 0 ]; do case "$1" in -o|-e|-l|-p|-i) shift 2;; -T) shift;; --) shift; break;; *) break;; esac; done\nshift\necho "$@" > "$(dirname "$0")/invoked"\nexec sh -c "$*"\n',
    );
    chmodSync(join(bin, 'ssh'), 0o755);
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path}`;
    try {
      const client = await LibvirtClient.connect('test+ssh://root@lab-host-1/default');
      expect((await client.domainLookupByName('test')).name).toBe('test');
      await client.close();
      expect(readFileSync(join(bin, 'invoked'), 'utf8')).toBe("virt-ssh-helper 'test:///default'\n");
    } finally {
      process.env['PATH'] = path;
    }
  });
});
