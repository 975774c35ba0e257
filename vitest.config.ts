import { defineConfig } from 'vitest/config';

/** Suites that restart the shared libvirtd: they run alone, after every other suite. */
const DISRUPTIVE = ['test/**/*.disruptive.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/support/build.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: DISRUPTIVE,
          // Two cores, and suites share one libvirtd: keep file parallelism modest.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'disruptive',
          include: DISRUPTIVE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
