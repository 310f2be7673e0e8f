import { Elysia } from "elysia";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { GatewayConfig } from "./config.ts";
import { createAuthenticator, type AuthenticatorOptions } from "./auth/authenticator.ts";
import type { GatewaySigV4 } from "./auth/sigv4-credentials.ts";
import { createPassthrough, BEDROCK_PREFIX, type PassthroughOptions } from "./bedrock/passthrough.ts";
import { errors } from "./bedrock/errors.ts";
import { StoreUnavailableError } from "./keys/key-cache.ts";
import type { CallPlugin } from "./bedrock/plugin.ts";
import { createRouteTable } from "./bedrock/route-table.ts";
import { createSigner } from "./bedrock/sign.ts";
import { healthRoutes, type ReadinessCheck } from "./health/routes.ts";
import { docsRoutes } from "./docs/routes.ts";
import { adminErrorResponse } from "./admin/errors.ts";

export interface GatewayParts {
  config: GatewayConfig;
  credentials: AwsCredentialIdentityProvider;
  lookupVirtual?: AuthenticatorOptions["lookupVirtual"];
  /** SigV4 verification of gateway-issued AWS-style credentials. */
  gatewaySigV4?: GatewaySigV4;
  plugins?: CallPlugin[];
  /** Requests refused before any plugin saw them (bad key...), for metrics. */
  onUnadmitted?: PassthroughOptions["onUnadmitted"];
  readiness?: Record<string, ReadinessCheck>;
  /** Extra route groups (admin API, metrics) mounted beside the passthrough. */
  extensions?: Elysia<any, any, any, any, any, any, any>[];
}

/** Composes the gateway: health, admin extensions, and the Bedrock passthrough. */
export function createApp(parts: GatewayParts) {
  const passthrough = createPassthrough({
    config: parts.config,
    routes: createRouteTable(bedrockRoutes),
    signer: createSigner(parts.credentials),
    authenticate: createAuthenticator({ masterKey: parts.config.masterKey, lookupVirtual: parts.lookupVirtual }),
    gatewaySigV4: parts.gatewaySigV4,
    plugins: parts.plugins,
    onUnadmitted: parts.onUnadmitted,
  });

  const app = new Elysia()
    .onError(({ code, error, request }) => {
      const path = new URL(request.url).pathname;
      if (code === "NOT_FOUND") return jsonError(404, `No route ${request.method} ${path}.`);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof StoreUnavailableError) return path.startsWith(BEDROCK_PREFIX + "/") ? errors.serviceUnavailable(message) : jsonError(503, message);
      if (path.startsWith(BEDROCK_PREFIX + "/")) return awsInternal(message);
      return jsonError(code === "VALIDATION" ? 400 : 500, message);
    })
    .use(healthRoutes({ credentials: async () => void (await parts.credentials()), ...parts.readiness }))
    .use(docsRoutes());
  for (const extension of parts.extensions ?? []) app.use(extension);
  // parse: "none" keeps the body stream untouched so the exact bytes can be signed and forwarded.
  return app.all(`${BEDROCK_PREFIX}/*`, ({ request }) => passthrough(request), { parse: "none" });
}

function jsonError(status: number, message: string): Response {
  return status === 400 || status === 404 ? adminErrorResponse(status, message) : Response.json({ message, type: "internal_error" }, { status });
}

function awsInternal(message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status: 500,
    headers: { "content-type": "application/json", "x-amzn-errortype": "InternalServerException" },
  });
}
