import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Where `npm run build` (apps/admin-ui, Vite) puts the page. */
export const defaultAssetDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../admin-ui/dist");

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** Vite names bundles by content hash, so they can be cached for good; index.html must not be. */
  immutable: boolean;
}

/**
 * The built page, read into memory once at start (a few hundred KB): `/ui/` → index.html, `/ui/assets/...` →
 * the bundles. Only files that exist in the build are served, so no request path reaches the file system.
 */
export function loadStaticAssets(dir = defaultAssetDir): { get(pathname: string): Asset | null; built: boolean } {
  const assets = new Map<string, Asset>();
  if (existsSync(path.join(dir, "index.html"))) {
    const walk = (sub: string) => {
      for (const name of readdirSync(path.join(dir, sub))) {
        const rel = path.posix.join(sub, name);
        if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
        else assets.set("/" + rel, { body: new Uint8Array(readFileSync(path.join(dir, rel))), type: types[path.extname(name)] ?? "application/octet-stream", immutable: rel.startsWith("assets/") });
      }
    };
    walk("");
  }
  return {
    built: assets.has("/index.html"),
    get: (pathname) => assets.get(pathname === "/" || pathname === "" ? "/index.html" : pathname) ?? null,
  };
}
