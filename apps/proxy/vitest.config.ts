import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each end-to-end file starts its own gateway processes; running files in parallel on 2 cores only adds noise.
    fileParallelism: false,
    // A temp dir per run, and a test file that leaves anything in it fails (no aws-home-* left in /tmp by `npm test`).
    globalSetup: ["test/support/run-temp-dir.ts"],
    setupFiles: ["test/support/temp-dir-check.ts"],
  },
});
