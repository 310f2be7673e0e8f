import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { createSigner } from "../bedrock/sign.ts";

/** The two Bedrock control planes the gateway reads (both sign as service `bedrock`). */
export type ControlPlane = "bedrock" | "bedrock-agent";

/** `AWS_ENDPOINT_URL_BEDROCK` / `AWS_ENDPOINT_URL_BEDROCK_AGENT` (else `AWS_ENDPOINT_URL`); null: the regional AWS hosts. */
export interface ControlPlaneEndpoints {
  bedrock: string | null;
  bedrockAgent: string | null;
}

export class ControlPlaneError extends Error {
  override name = "ControlPlaneError";
  constructor(message: string, readonly status: number | null, readonly type: string | null) {
    super(message);
  }
}

export interface ControlPlaneClient {
  /** A signed GET of `rawPath` (labels already percent-encoded) on a control plane in `region`; the parsed JSON. */
  get(plane: ControlPlane, region: string, rawPath: string): Promise<unknown>;
}

export interface ControlPlaneClientOptions {
  credentials: AwsCredentialIdentityProvider;
  endpoints: ControlPlaneEndpoints;
  timeoutMs?: number;
}

/** Read-only calls to Bedrock's control planes with the gateway's own credentials, SigV4-signed like every upstream call. */
export function controlPlaneClient(options: ControlPlaneClientOptions): ControlPlaneClient {
  const signer = createSigner(options.credentials);
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async get(plane, region, rawPath) {
      const configured = plane === "bedrock" ? options.endpoints.bedrock : options.endpoints.bedrockAgent;
      const origin = new URL(configured ?? `https://${plane}.${region}.amazonaws.com`);
      const basePath = origin.pathname.replace(/\/+$/, "");
      const path = basePath + rawPath;
      const headers = await signer.sign({ method: "GET", origin, rawPath: path, rawQuery: "", headers: { accept: "application/json" }, body: null }, region);
      let response: Response;
      try {
        response = await fetch(origin.origin + path, { method: "GET", headers, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
      } catch (error) {
        throw new ControlPlaneError(`${plane} GET ${rawPath}: ${error instanceof Error ? error.message : String(error)}`, null, null);
      }
      const text = await response.text();
      if (!response.ok) {
        const type = (response.headers.get("x-amzn-errortype") ?? "").split(":")[0] || null;
        let message = text.slice(0, 200);
        try {
          const body = JSON.parse(text) as { message?: unknown; Message?: unknown };
          const said = body.message ?? body.Message;
          if (typeof said === "string") message = said;
        } catch {
          // Not JSON (a proxy's error page): the first 200 characters say enough.
        }
        throw new ControlPlaneError(`${plane} GET ${rawPath}: ${response.status} ${type ?? ""} ${message}`.replace(/\s+/g, " ").trim(), response.status, type);
      }
      try {
        return JSON.parse(text);
      } catch {
        throw new ControlPlaneError(`${plane} GET ${rawPath}: the answer is not JSON`, response.status, null);
      }
    },
  };
}
