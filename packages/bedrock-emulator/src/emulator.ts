/**
 * The whole emulator as a web-standard fetch handler: record, verify SigV4,
 * route, apply the request's control, dispatch. Runtime-neutral on purpose.
 */
import type { OpContext } from "./context.ts";
import { controlFor } from "./control.ts";
import { createFaults, FAULTS_PATH, faultsEndpoint } from "./faults.ts";
import { AwsError, errorResponse, throttling, unknownOperation, validation } from "./errors.ts";
import { sleep } from "./eventstream.ts";
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  type Emulator,
  type EmulatorOptions,
  type RecordedRequest,
} from "./options.ts";
import { controlPlaneResponse, matchControlPlane } from "./ops/control/control-plane.ts";
import { matchRoute, serviceFor } from "./route.ts";
import { requestProblem } from "./validate-request.ts";
import { eventChainVerifier, parseQuery, scopeOf, SigV4Error, verifySigV4 } from "@bedrock-gateway/sigv4";
import { BIDIRECTIONAL_STREAM } from "./route.ts";

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

/** Splits request.url into the raw (still percent-encoded) path and query; `new URL` would be fine too, but this avoids re-parsing. */
function splitUrl(url: string): { rawPath: string; rawQuery: string } {
  const scheme = url.indexOf("://");
  const pathStart = url.indexOf("/", scheme < 0 ? 0 : scheme + 3);
  if (pathStart < 0) return { rawPath: "/", rawQuery: "" };
  const q = url.indexOf("?", pathStart);
  return q < 0 ? { rawPath: url.slice(pathStart), rawQuery: "" } : { rawPath: url.slice(pathStart, q), rawQuery: url.slice(q + 1) };
}

/**
 * `honourRequestSignal` is false under Deno.serve, whose legacy request.signal
 * also fires after successful responses; there a client abort is seen through
 * the response stream's cancel() instead.
 */
export function createEmulator(options: EmulatorOptions = {}, honourRequestSignal = true): Emulator {
  const emulator: Emulator = {
    requests: [],
    controlPlaneRequests: [],
    streams: { started: 0, completed: 0, cancelled: 0 },
    options,
    faults: createFaults(options.faults),
    reset() {
      emulator.requests.length = 0;
      emulator.controlPlaneRequests.length = 0;
      emulator.streams = { started: 0, completed: 0, cancelled: 0 };
      emulator.faults.clear();
    },
    fetch: (request) => handle(emulator, request, honourRequestSignal ? request.signal : undefined),
  };
  return emulator;
}

async function handle(emulator: Emulator, request: Request, signal: AbortSignal | undefined): Promise<Response> {
  const receivedAt = performance.now();
  const requestId = crypto.randomUUID();
  const opts = emulator.options;
  const { rawPath, rawQuery } = splitUrl(request.url);
  if (rawPath === FAULTS_PATH) return faultsEndpoint(emulator.faults, request);
  const method = request.method;
  const service = serviceFor(rawPath);
  const route = matchRoute(method, rawPath);
  const controlPlane = route ? null : matchControlPlane(method, rawPath, opts, parseQuery(rawQuery));
  // A signed event stream's body is never read whole: its events are checked and answered as they arrive.
  const eventInput = route?.operation === BIDIRECTIONAL_STREAM;
  const body = request.body && !eventInput ? new Uint8Array(await request.arrayBuffer()) : EMPTY;

  // Recorded before verification so tests can count requests that reached us but were rejected.
  let record: RecordedRequest | null = null;
  if (opts.recordRequests !== false) {
    record = {
      method,
      rawPath,
      query: rawQuery,
      headers: Object.fromEntries(request.headers),
      bodyLength: body.byteLength,
      operation: route?.operation ?? controlPlane?.operation ?? null,
      service,
      signingRegion: scopeOf(request.headers.get("authorization"))?.region ?? null,
      verified: false,
    };
    (controlPlane ? emulator.controlPlaneRequests : emulator.requests).push(record);
  }

  const baseHeaders: Record<string, string> = { "x-amzn-RequestId": requestId };
  if (service) baseHeaders["x-emulator-service"] = service;
  const fail = (err: AwsError) => {
    if (record) record.error = `${err.type}: ${err.message}`;
    // The emulator's clock goes in `Date` so SDK clock-skew correction works against an injected clock, as with AWS.
    return errorResponse(err, requestId, { ...baseHeaders, date: new Date((opts.now ?? Date.now)()).toUTCString() });
  };

  let region: string;
  let signature: string;
  const accessKeyId = opts.accessKeyId ?? EMULATOR_ACCESS_KEY_ID;
  const secret = { secretAccessKey: opts.secretAccessKey ?? EMULATOR_SECRET_ACCESS_KEY, sessionToken: opts.sessionToken };
  try {
    ({ region, signature } = await verifySigV4(
      { method, rawPath, rawQuery, headers: request.headers, body: eventInput ? "events" : body },
      { lookup: (id) => (id === accessKeyId ? secret : null), regions: opts.regions, nowMs: (opts.now ?? Date.now)() },
    ));
  } catch (err) {
    if (err instanceof SigV4Error) return fail(new AwsError(err.status, err.type, err.message));
    throw err;
  }
  baseHeaders["x-emulator-signing-region"] = region;
  if (record) {
    record.verified = true;
    record.signingRegion = region;
  }

  if (controlPlane) {
    const fault = emulator.faults.apply(region, null, controlPlane.operation, true);
    if (fault?.kind === "error") return fail(fault.error);
    try {
      return controlPlaneResponse(controlPlane, region, new Date((opts.now ?? Date.now)()), baseHeaders);
    } catch (err) {
      if (err instanceof AwsError) return fail(err);
      throw err;
    }
  }
  if (!route || !service) return fail(unknownOperation());

  let parsed: Record<string, unknown> = {};
  if (body.byteLength > 0) {
    try {
      const value: unknown = JSON.parse(decoder.decode(body));
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
      parsed = value as Record<string, unknown>;
    } catch {
      return fail(validation("Malformed input request, please reformat your input and try again."));
    }
  }

  const invalid = requestProblem(route.operation, parsed);
  if (invalid) return fail(invalid);

  let control = controlFor(route.operation, parsed);
  const fault = emulator.faults.apply(region, route.params.modelId ?? null, route.operation);
  if (fault?.kind === "error") return fail(fault.error);
  if (fault?.kind === "mid-stream") control = { ...control, failAfterEvents: fault.afterEvents, failWith: fault.failWith };
  if (control.throttle === true || (route.params.modelId ?? "").includes("throttle")) return fail(throttling());

  const ctx: OpContext = {
    request,
    operation: route.operation,
    service,
    params: route.params,
    query: parseQuery(rawQuery),
    body: parsed,
    bodyBytes: body,
    control,
    options: opts,
    requestId,
    receivedAt,
    eventDelayMs: control.eventDelayMs ?? opts.streamEventDelayMs ?? 0,
    baseHeaders,
    signal,
    streams: emulator.streams,
    record,
    ...(eventInput && {
      events: {
        body: request.body ?? new ReadableStream({ start: (c) => c.close() }),
        chain: eventChainVerifier({ accessKeyId, secretAccessKey: secret.secretAccessKey, region, seedSignature: signature, nowMs: opts.now }),
      },
    }),
  };

  const firstByteDelay = control.firstByteDelayMs ?? opts.firstByteDelayMs ?? 0;
  if (firstByteDelay > 0) await sleep(firstByteDelay, signal);

  try {
    return await route.handler(ctx);
  } catch (err) {
    if (err instanceof AwsError) return fail(err);
    return fail(new AwsError(500, "InternalServerException", err instanceof Error ? err.message : String(err)));
  }
}
