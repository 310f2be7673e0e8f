import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

/**
 * Swagger UI's prebuilt browser bundle, served from the installed `swagger-ui-dist` package: gateways often run
 * where browsers cannot reach a CDN, and the page must work offline. Read once, on first use, then kept.
 */
const require = createRequire(import.meta.url);

export const swaggerUiAssets = {
  "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
} as const;

export type SwaggerUiAsset = keyof typeof swaggerUiAssets;

const loaded = new Map<SwaggerUiAsset, Promise<string>>();

export function swaggerUiAsset(name: SwaggerUiAsset): Promise<string> {
  let text = loaded.get(name);
  if (!text) {
    text = readFile(require.resolve(`swagger-ui-dist/${name}`), "utf8");
    loaded.set(name, text);
  }
  return text;
}
