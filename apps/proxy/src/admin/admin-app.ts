import { Elysia } from "elysia";
import type { operations } from "@bedrock-gateway/api-types";
import type { AdminCaller } from "./auth.ts";
import { AdminError, BadRequest } from "./errors.ts";
import { readJsonObject } from "./request-body.ts";
import { operationAccess } from "./spec-validation.ts";
import { unstorableQuery } from "./text.ts";

/** The JSON a successful admin operation answers, as the spec (and so the generated types) defines it. */
export type Answer<Op extends keyof operations> = operations[Op]["responses"] extends { 200: { content: { "application/json": infer T } } } ? T : never;

/** Stands in for the body until the caller is known: Elysia parses before any hook could authenticate. */
const UNREAD = Symbol("body not read yet");

/**
 * The admin API's Elysia instance, under `prefix`. Every route added to it goes through one hook that
 * authenticates the caller with `authenticate` (a bearer master or virtual key at the root, the admin page's
 * session under /ui/api), admits a virtual key only where the spec marks the operation `x-gateway-access: self`,
 * and refuses a query the stores could not keep; only then is the body read (at most 64 KiB) and are the body and
 * query validated against the route's schemas from the spec. An unauthenticated request costs no body read and no
 * validation. Refusals are thrown as AdminError; the app's error handler renders them as `{"message", "type"}`.
 */
export function createAdminApp(options: { authenticate: (request: Request) => Promise<AdminCaller>; prefix?: string }) {
  const { authenticate, prefix = "" } = options;
  return new Elysia({ prefix })
    .onParse(() => UNREAD)
    .derive(async ({ request, route }) => {
      const caller = await authenticate(request);
      const operation = route.slice(prefix.length);
      if (caller.kind !== "master" && operationAccess(request.method, operation) !== "self") {
        throw new AdminError(403, `Only the master key may call ${request.method} ${operation}.`);
      }
      const badQuery = unstorableQuery(request.url);
      if (badQuery) throw new BadRequest(`Refused: ${badQuery}.`);
      return { caller };
    })
    .onTransform(async (context) => {
      if ((context.body as unknown) === UNREAD) context.body = await readJsonObject(context.request);
    });
}

export type AdminApp = ReturnType<typeof createAdminApp>;
