import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Node-loading and empty-environment tests run the built dist/, so build once before any file runs.
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
  },
});
