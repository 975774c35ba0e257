import { describe, expect, it } from 'vitest';
import { LibvirtError } from '../../src/libvirt/errors.js';
import { whileSettled } from '../../src/reconciler/volume-actions.js';

const domain = { name: 'd', uuid: Buffer.alloc(16), id: 1 };
const failure = (message: string) =>
  new LibvirtError({ code: 1, domain: 10, message, level: 2 }, 'DOMAIN_ATTACH_DEVICE_FLAGS');

/** A domain whose `isActive` answers run through `answers` (the last one repeats), and a change that fails `failures` times. */
function scripted(answers: boolean[], failures: Error[]) {
  let asked = 0;
  const client = { domainIsActive: async () => answers[Math.min(asked++, answers.length - 1)]! };
  const runs: number[] = [];
  const change = async () => {
    runs.push(runs.length + 1);
    const error = failures[runs.length - 1];
    if (error) throw error;
  };
  return { client, change, runs };
}

describe('a live disk change beside a reset', () => {
  it('runs again, planned afresh, when QEMU was killed under it and libvirt says the domain stopped a moment later', async () => {
    // Running when planned, still "running" right after the monitor broke, stopped 200 ms later.
    const { client, change, runs } = scripted(
      [true, true, true, false],
      [failure('Unable to read from monitor: Connection reset by peer')],
    );
    await whileSettled(client, domain, change, 2000);
    expect(runs).toEqual([1, 2]);
  });

  it('gives up with the error when the domain does not stop, or the error is not about QEMU going away', async () => {
    const stuck = scripted([true], [failure('Unable to write to monitor: Broken pipe')]);
    await expect(whileSettled(stuck.client, domain, stuck.change, 300)).rejects.toThrow(/Broken pipe/);
    const other = scripted([true], [failure('internal error: unable to execute QEMU command')]);
    await expect(whileSettled(other.client, domain, other.change, 300)).rejects.toThrow(/unable to execute/);
    expect([stuck.runs, other.runs]).toEqual([[1], [1]]);
  });

  it('runs again when the domain started or stopped in between, as before', async () => {
    const { client, change, runs } = scripted(
      [false, true],
      [failure('Requested operation is not valid: domain is not running')],
    );
    await whileSettled(client, domain, change);
    expect(runs).toEqual([1, 2]);
  });
});
