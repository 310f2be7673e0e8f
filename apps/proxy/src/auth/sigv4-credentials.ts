import { checkSigV4Headers, eventChainVerifier, scopeOf, SigV4Error, verifySigV4, type EventChainVerifier, type SignedRequestParts, type Verified } from "@bedrock-gateway/sigv4";
import { isGatewayAccessKeyId } from "../keys/aws-credentials.ts";
import type { AccessKeySecret } from "../keys/access-key-cache.ts";
import { isRefusal, type Refusal } from "../pipeline/refusal.ts";
import type { AuthResult } from "./authenticator.ts";
import type { Principal } from "./principal.ts";

/**
 * Authentication by SigV4 with credentials the gateway issued: the request is verified exactly as AWS verifies
 * it (canonical request over the path as received, signed headers, body hash, scope, 5-minute skew), so
 * unmodified AWS clients work with only an endpoint and a key pair, and the secret never crosses the wire.
 */
export interface GatewaySigV4 {
  /** True when Authorization is SigV4 and names an access key id with the gateway's prefix. */
  claims(headers: Headers): boolean;
  /**
   * What can be refused before a byte of the body is read: the header's shape, scope, date and skew, and whether
   * the access key id exists (one cached lookup; ids not shaped like the gateway's are never looked up). Null: read
   * the body and `authenticate`.
   */
  precheck(headers: Headers, service?: SigningService): Promise<Refusal | null>;
  /** Verifies the signature over these exact parts, then resolves the key like a bearer key. */
  authenticate(parts: SignedRequestParts, service?: SigningService): Promise<AuthResult>;
  /**
   * A signed event stream (InvokeModelWithBidirectionalStream): the request verified from its headers (its payload
   * hash is STREAMING-AWS4-HMAC-SHA256-EVENTS), and the verifier of its events' chain, with the same secret.
   */
  authenticateEvents(parts: Omit<SignedRequestParts, "body">): Promise<{ principal: Principal; events: EventChainVerifier } | Refusal>;
}

/**
 * The service a request's credential scope must name: `bedrock`, as for AWS's own runtime hosts, or `bedrock-mantle`,
 * which the Mantle clients (Anthropic's `AnthropicBedrockMantle`, the openai SDK's `bedrock()` provider) sign for.
 */
export type SigningService = "bedrock" | "bedrock-mantle";

export interface GatewaySigV4Options {
  /** The key and decrypted secret behind an access key id; null when unknown. */
  secretFor(accessKeyId: string): Promise<AccessKeySecret | null>;
  /** The virtual-key principal for a token hash (blocked, expired and missing keys handled as for bearer keys). */
  principalFor(token: string): Promise<AuthResult | null>;
  /** Default Date.now. */
  now?: () => number;
}

const SCHEME = "AWS4-HMAC-SHA256 ";
const invalidToken = (): Refusal => ({ status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid." });
const sigV4Refusal = (error: SigV4Error): Refusal => ({ status: error.status === 401 ? 401 : 403, type: error.type, message: error.message });

export function createGatewaySigV4(options: GatewaySigV4Options): GatewaySigV4 {
  const { secretFor, principalFor, now = Date.now } = options;
  return {
    claims(headers) {
      const authorization = headers.get("authorization");
      if (!authorization?.startsWith(SCHEME)) return false;
      const scope = scopeOf(authorization);
      return scope !== null && isGatewayAccessKeyId(scope.accessKeyId);
    },
    async precheck(headers, service = "bedrock") {
      let accessKeyId: string;
      try {
        accessKeyId = checkSigV4Headers(headers, { nowMs: now(), service }).auth.accessKeyId;
      } catch (error) {
        if (error instanceof SigV4Error) return sigV4Refusal(error);
        throw error;
      }
      return (await secretFor(accessKeyId)) ? null : invalidToken();
    },
    async authenticate(parts, service = "bedrock") {
      const verified = await verify(parts, service);
      return isRefusal(verified) ? verified : verified.principal;
    },
    async authenticateEvents(parts) {
      const verified = await verify({ ...parts, body: "events" });
      if (isRefusal(verified)) return verified;
      const { principal, request, key } = verified;
      const events = eventChainVerifier({ accessKeyId: request.accessKeyId, secretAccessKey: key.secretAccessKey, region: request.region, seedSignature: request.signature, nowMs: now });
      return { principal, events };
    },
  };

  async function verify(parts: SignedRequestParts, service: SigningService = "bedrock"): Promise<{ principal: Principal; request: Verified; key: AccessKeySecret } | Refusal> {
    // verifySigV4 asks for the secret only after the cheap checks (scope, date, skew) pass.
    const found: { key?: AccessKeySecret } = {};
    let request: Verified;
    try {
      request = await verifySigV4(parts, {
        nowMs: now(),
        service,
        lookup: async (accessKeyId) => {
          found.key = (await secretFor(accessKeyId)) ?? undefined;
          return found.key ? { secretAccessKey: found.key.secretAccessKey } : null;
        },
      });
    } catch (error) {
      if (error instanceof SigV4Error) return sigV4Refusal(error);
      throw error;
    }
    // The key may have been deleted since its secret was cached: then it is as unknown as any other.
    const result = found.key ? await principalFor(found.key.token) : null;
    if (!result) return invalidToken();
    return isRefusal(result) ? result : { principal: result, request, key: found.key! };
  }
}
