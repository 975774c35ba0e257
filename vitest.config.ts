import { defineConfig } from 'vitest/config';

/*
 * Three kinds of test, told apart by their file name:
 * - `*.unit.test.ts`: nothing outside the test's own process (no libvirtd, no child process, no
 *   external client); `npm run test:unit` runs only these, on any machine.
 * - `*.disruptive.test.ts`: restart the shared libvirtd, so they run alone, after every other suite.
 * - every other `*.test.ts` (integration and `*.e2e.test.ts` end-to-end): a real libvirtd, the
 *   built CLI as a process, real clients (sushy, redfishtool, Ironic, DMTF's validators).
 */
const UNIT = ['test/**/*.unit.test.ts'];
const DISRUPTIVE = ['test/**/*.disruptive.test.ts'];
/** Suites that start the built CLI need `dist/` compiled first. */
const BUILD = ['test/support/build.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        // Runs beside 'main', sharing its two workers.
        test: { name: 'unit', include: UNIT, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'main',
          globalSetup: BUILD,
          include: ['test/**/*.test.ts'],
          exclude: [...UNIT, ...DISRUPTIVE],
          // Two cores, and suites share one libvirtd: keep file parallelism modest.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'disruptive',
          globalSetup: BUILD,
          include: DISRUPTIVE,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
