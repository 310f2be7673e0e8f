import { defineConfig } from "vite";

// Built once into dist/ and served by the gateway at /ui (same origin, no CDN): every asset URL starts with /ui/.
export default defineConfig({
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The CSP forbids inline script; keep Vite from inlining its module-preload helper into the HTML.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 400,
  },
});
