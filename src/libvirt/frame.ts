import { Limits } from './constants.js';
import { XdrError } from './xdr.js';

/** The fixed 28-byte header of every RPC message. */
export interface FrameHeader {
  readonly program: number;
  readonly version: number;
  readonly procedure: number;
  readonly type: number;
  readonly serial: number;
  readonly status: number;
}

export interface Frame {
  readonly header: FrameHeader;
  readonly payload: Buffer;
}

/** One message on the wire: length (including itself), header, payload. */
export function encodeFrame(header: FrameHeader, payload: Buffer = Buffer.alloc(0)): Buffer {
  const length = Limits.frameHeader + payload.length;
  if (length > Limits.frame) throw new XdrError(`frame of ${length} bytes exceeds libvirt's maximum ${Limits.frame}`);
  const frame = Buffer.alloc(length);
  frame.writeUInt32BE(length, 0);
  frame.writeUInt32BE(header.program, 4);
  frame.writeUInt32BE(header.version, 8);
  frame.writeInt32BE(header.procedure, 12);
  frame.writeInt32BE(header.type, 16);
  frame.writeUInt32BE(header.serial, 20);
  frame.writeInt32BE(header.status, 24);
  payload.copy(frame, Limits.frameHeader);
  return frame;
}

/**
 * Cuts a byte stream into frames: a read may hold part of a frame or several. A length below
 * the header size or above libvirt's maximum means the stream is not libvirt RPC (or is
 * corrupt): `push` throws and the connection must be closed.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Buffer): Frame[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.pendingBytes < 4) break;
      const head = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
      this.pending = [head];
      const length = head.readUInt32BE(0);
      if (length < Limits.frameHeader || length > Limits.frame) {
        throw new XdrError(`invalid frame length ${length} (must be ${Limits.frameHeader} to ${Limits.frame})`);
      }
      if (head.length < length) break;
      frames.push({
        header: {
          program: head.readUInt32BE(4),
          version: head.readUInt32BE(8),
          procedure: head.readInt32BE(12),
          type: head.readInt32BE(16),
          serial: head.readUInt32BE(20),
          status: head.readInt32BE(24),
        },
        payload: Buffer.from(head.subarray(Limits.frameHeader, length)),
      });
      const rest = head.subarray(length);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return frames;
  }
}
