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

/** Outermost SDK middleware (after the SDK's own retries): connection failures come out naming the gateway URL. */
export function addUnreachableGatewayHint(stack: StackLike, url: string): void {
  stack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw isNetworkFailure(error) ? new GatewayUnreachableError(url, error) : error;
      }
    },
    { step: "initialize", name: "bedrockGatewayUnreachableHint", override: true },
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
