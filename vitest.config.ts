import { defineConfig } from "vitest/config";

/**
 * Tests of pure modules, seconds in all: no build, no engine, no process, no browser (`npm run
 * test:unit`). The generator's tests, pure but long, run with the rest.
 */
const UNIT = [
  "test/audience.test.ts",
  "test/counters.test.ts",
  "test/dashboard-state.test.ts",
  "test/fixtures.test.ts",
  "test/formats.test.ts",
  "test/lines.test.ts",
  "test/params.test.ts",
  "test/progress.test.ts",
  "test/rule.test.ts",
  "test/samples.test.ts",
  "test/server-requests.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at once on CI's two cores: the long exactly-once file runs beside the rest.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "unit", include: UNIT } },
      {
        extends: true,
        // The command, the engine, S3, the Lambda handlers, the dashboard: dist/ is built once first.
        test: {
          name: "e2e",
          include: ["test/**/*.test.ts"],
          exclude: UNIT,
          globalSetup: ["test/support/build.ts"],
        },
      },
    ],
  },
});
