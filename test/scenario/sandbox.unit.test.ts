import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { newSandbox } from '../../src/scenario/sandbox.js';

describe("a replay's sandbox lab", () => {
  it("is the lab's under names of its own, and tells the lab's notification receiver nothing", () => {
    const lab = loadConfig({ env: {} });
    const config = { ...lab, lab: { ...lab.lab, notifications: { url: 'http://fake-ipa:9999' } } };
    const sandbox = newSandbox(config, '/tmp/sandbox', 'abc123');
    expect(sandbox.config.lab.systems.map((s) => s.domain)).toEqual(
      lab.lab.systems.map((s) => `${s.domain}-replay-abc123`),
    );
    expect(sandbox.config.lab.notifications).toBeUndefined();
  });
});
