import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  // api-types and protocol are private workspace packages: their types (and protocol's constants) must be inlined, or published .d.ts would dangle.
  // Mapping it to its real path (not the node_modules symlink) is what makes the d.ts bundler inline it.
  dts: {
    resolve: ["@bedrock-gateway/api-types", "@bedrock-gateway/protocol"],
    compilerOptions: {
      baseUrl: ".",
      paths: { "@bedrock-gateway/api-types": ["../api-types/src/index.ts"], "@bedrock-gateway/protocol": ["../protocol/src/index.ts"] },
    },
  },
  clean: true,
  sourcemap: false,
  target: "node20",
  platform: "node",
  // Consumers bring their own SDK/openapi-fetch copies (declared dependencies); bundling them would duplicate
  // the SDK and break `instanceof` checks on its exception classes.
  external: [/^@aws-sdk\//, /^@smithy\//, "openapi-fetch"],
  // JSR publishes dist/index.js (jsr.json); this pragma hands Deno the bundled declarations, in which the
  // private api-types package is inlined (its TypeScript source could not be published).
  banner: ({ format }) => (format === "esm" ? { js: '/* @ts-self-types="./index.d.ts" */' } : {}),
});
