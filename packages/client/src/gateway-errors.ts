import type { StackLike } from "./sdk-stack.ts";

/** Thrown when no HTTP answer came back at all: nothing listens at the URL, the name does not resolve, ... */
export class GatewayUnreachableError extends Error {
  override readonly name = "GatewayUnreachableError";
  constructor(
    /** The URL the client was configured with. */
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `Bedrock Gateway: cannot reach the gateway at ${url} (${describe(cause)}). Is it running there? ` +
        "Pass its address as baseUrl or set BEDROCK_PROXY_URL.",
      { cause },
    );
  }
}

/** An HTTP answer that cannot come from the gateway: a 404 without an AWS error type (the gateway always sends one). */
export class GatewayAddressError extends Error {
  override readonly name = "GatewayAddressError";
  constructor(
    /** The URL the client was configured with. */
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `Bedrock Gateway: ${url} answered 404 without an AWS error type, so it does not look like the gateway. ` +
        "Set baseUrl or BEDROCK_PROXY_URL to the gateway's root URL, e.g. https://gateway.example.com (with or without /bedrock).",
      { cause },
    );
  }
}

/** What the SDK makes of a 404 that names no error type: `Unknown`. */
function isForeign404(error: unknown): boolean {
  const e = error as { name?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === "Unknown" && e.$metadata?.httpStatusCode === 404;
}

// Node and Bun report `code`; fetch wraps it in `cause`; Deno and Bun's fetch use their own words.
const NETWORK_FAILURE = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ECONNRESET|ConnectionRefused|Connection refused|FailedToOpenSocket|Unable to connect|dns error|fetch failed/i;

function codeOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
  if (typeof e?.code === "string") return e.code;
  return e?.cause === undefined ? undefined : codeOf(e.cause);
}

function describe(error: unknown): string {
  return codeOf(error) ?? (error instanceof Error ? error.message : String(error));
}

/** An error with no HTTP response behind it that names a connection failure. */
export function isNetworkFailure(error: unknown): boolean {
  const e = error as { $metadata?: { httpStatusCode?: number }; $response?: unknown; message?: unknown } | undefined;
  if (e === undefined || e === null || e.$response !== undefined || e.$metadata?.httpStatusCode !== undefined) return false;
  const text = `${codeOf(error) ?? ""} ${typeof e.message === "string" ? e.message : ""} ${String((e as { cause?: { message?: unknown } }).cause?.message ?? "")}`;
  return NETWORK_FAILURE.test(text);
}

/**
 * Outermost SDK middleware (after the SDK's own retries): a connection failure, or an answer from something that
 * is not the gateway, comes out naming the configured URL and what to change.
 */
export function addGatewayErrorHints(stack: StackLike, url: string): void {
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (isNetworkFailure(error)) throw new GatewayUnreachableError(url, error);
        if (isForeign404(error)) throw new GatewayAddressError(url, error);
        throw error;
      }
    },
    { step: "initialize", name: "bedrockGatewayErrorHints", override: true },
  );
}

/** The same for the admin client's fetch. */
export function fetchNamingGateway(url: string, fetchImpl: (request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    try {
      return await fetchImpl(request);
    } catch (error) {
      throw isNetworkFailure(error) ? new GatewayUnreachableError(url, error) : error;
    }
  };
}
