import { Elysia } from "elysia";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import type { GatewayConfig } from "../config.ts";
import { createAuthenticator, type AuthenticatorOptions } from "../auth/authenticator.ts";
import type { GatewaySigV4 } from "../auth/sigv4-credentials.ts";
import { BEDROCK_PREFIX } from "@bedrock-gateway/protocol";
import { createBedrockPipeline, type BedrockPipelineOptions } from "../pipeline/bedrock-call.ts";
import { dialectOf, refuse, renderRefusal } from "../pipeline/refusal.ts";
import { StoreUnavailableError } from "../cache/refreshing-cache.ts";
import { isUnderPrefix } from "../bedrock/raw-path.ts";
import { BodyRefused } from "../pipeline/read-body.ts";
import { createRouteTable } from "../bedrock/route-table.ts";
import { createSigner } from "../bedrock/sign.ts";
import { healthRoutes, type ReadinessChecks } from "../admin/health.ts";
import { AdminError } from "../admin/errors.ts";
import type { AdminApp } from "../admin/admin-app.ts";
import type { MetricsRoutes } from "../admin/metrics.ts";
import { docsRoutes } from "../admin/docs.ts";
import { adminErrorResponse } from "../admin/errors.ts";
import { errorMessage } from "../error-message.ts";
import { log } from "../log.ts";
import { isStoreOutage } from "../store/failure-kind.ts";

export interface GatewayParts {
  config: GatewayConfig;
  credentials: AwsCredentialIdentityProvider;
  lookupToken?: AuthenticatorOptions["lookupToken"];
  /** SigV4 verification of gateway-issued AWS-style credentials. */
  gatewaySigV4?: GatewaySigV4;
  steps?: BedrockPipelineOptions["steps"];
  /** Requests refused before admission (bad key...), for metrics. */
  onUnadmitted?: BedrockPipelineOptions["onUnadmitted"];
  /** Circuit breakers and metrics of cross-region failover. */
  failover?: BedrockPipelineOptions["failover"];
  /** Readiness of what the gateway depends on: AWS credentials, storage, and redis or the spend queue when used. */
  readiness: ReadinessChecks;
  /** The admin API (compose/admin.ts: bearer, and the admin page's under /ui/api) and GET /metrics, beside the passthrough. */
  admin?: AdminApp[];
  metrics?: MetricsRoutes;
}

export interface GatewayApp {
  /** The server's request handler. */
  fetch(request: Request): Response | Promise<Response>;
}

/**
 * Composes the gateway: health, docs, the admin API, metrics and the Bedrock pipeline. Bedrock calls, the hot path, go
 * straight to the pipeline (the router only costs them time: measured ~4 µs per call at saturation); every
 * other path goes through Elysia's routes.
 */
export function createApp(parts: GatewayParts): GatewayApp {
  const pipeline = createBedrockPipeline({
    config: parts.config,
    routes: createRouteTable(bedrockRoutes),
    signer: createSigner(parts.credentials),
    authenticate: createAuthenticator({ masterKey: parts.config.masterKey, lookupToken: parts.lookupToken }),
    gatewaySigV4: parts.gatewaySigV4,
    steps: parts.steps,
    onUnadmitted: parts.onUnadmitted,
    failover: parts.failover,
  });
  const bedrock = async (request: Request): Promise<Response> => {
    try {
      return await pipeline(request);
    } catch (error) {
      return bedrockError(error, request);
    }
  };

  const routes = new Elysia()
    .onError(({ code, error, request }) => {
      if (code === "NOT_FOUND") return jsonError(404, `No route ${request.method} ${new URL(request.url).pathname}.`);
      // Admin refusals: from the auth hook, a handler, or the spec's schemas (whose message says what is wrong).
      if (error instanceof AdminError) return adminErrorResponse(error.status, error.message);
      if (code === "VALIDATION") return jsonError(400, typeof error.customError === "string" ? error.customError : "The request is not valid.");
      // A chunked body counted past MAX_REQUEST_BODY_MB at the edge (runtime/body-limit.ts) while a route parsed it.
      if (error instanceof BodyRefused) return renderRefusal(error.refusal);
      const failure = unexpectedFailure(error, request);
      return jsonError(failure.status, failure.message);
    })
    .use(healthRoutes(parts.readiness))
    .use(docsRoutes());
  for (const admin of parts.admin ?? []) routes.use(admin);
  if (parts.metrics) routes.use(parts.metrics);

  return { fetch: (request) => (isBedrockPath(request.url) ? bedrock(request) : routes.fetch(request)) };
}

function isBedrockPath(url: string): boolean {
  return isUnderPrefix(url, BEDROCK_PREFIX);
}

/** A failure no step answered itself, AWS-shaped (OpenAI-shaped on the OpenAI paths) so SDKs raise a typed exception. */
function bedrockError(error: unknown, request: Request): Response {
  const failure = unexpectedFailure(error, request);
  return renderRefusal(failure.status === 503 ? refuse.serviceUnavailable(failure.message) : refuse.internal(failure.message), dialectOf(request.url));
}

/**
 * What a client is told about a failure no step answered: a retryable 503 when storage is unreachable, else a
 * 500, both with a fixed message. The driver's text (the database's address, SQL) goes to the log only.
 */
function unexpectedFailure(error: unknown, request: Request): { status: 500 | 503; message: string } {
  const outage = error instanceof StoreUnavailableError || isStoreOutage(error);
  log.error(outage ? "storage unavailable: request answered 503" : "unexpected failure: request answered 500", {
    method: request.method,
    path: new URL(request.url).pathname.slice(0, 200),
    error: errorMessage(error),
  });
  return outage
    ? { status: 503, message: "The gateway's storage is temporarily unavailable. Retry the request shortly." }
    : { status: 500, message: "The gateway failed to handle the request. Its operator can find the cause in the gateway's log." };
}

function jsonError(status: number, message: string): Response {
  return status === 400 || status === 404 ? adminErrorResponse(status, message) : Response.json({ message, type: "internal_error" }, { status });
}
