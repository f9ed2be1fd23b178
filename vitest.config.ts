import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/build.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two files at once on CI's two cores: the long exactly-once file runs beside the rest.
    maxWorkers: 2,
  },
});
