import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Each end-to-end file starts its own gateway processes; running files in parallel on 2 cores only adds noise.
    fileParallelism: false,
  },
});
