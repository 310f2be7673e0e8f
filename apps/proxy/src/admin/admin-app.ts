import { Elysia } from "elysia";
import type { operations } from "@bedrock-gateway/api-types";
import type { KeyCache } from "../keys/key-cache.ts";
import { createAdminAuth } from "./auth.ts";
import { AdminError, BadRequest } from "./errors.ts";
import { readJsonObject } from "./request-body.ts";
import { operationAccess } from "./spec-validation.ts";
import { unstorableQuery } from "./text.ts";

/** The JSON a successful admin operation answers, as the spec (and so the generated types) defines it. */
export type Answer<Op extends keyof operations> = operations[Op]["responses"] extends { 200: { content: { "application/json": infer T } } } ? T : never;

/** Stands in for the body until the caller is known: Elysia parses before any hook could authenticate. */
const UNREAD = Symbol("body not read yet");

/**
 * The admin API's Elysia instance. Every route added to it goes through one hook that authenticates the caller
 * (master key, or a virtual key where the spec marks the operation `x-gateway-access: self`) and refuses a query
 * the stores could not keep; only then is the body read (at most 64 KiB) and are the body and query validated
 * against the route's schemas from the spec. An unauthenticated request costs no body read and no validation.
 * Refusals are thrown as AdminError; the app's error handler renders them as `{"message", "type"}`.
 */
export function createAdminApp(options: { masterKey: string | null; cache: KeyCache }) {
  const authenticate = createAdminAuth(options.masterKey, options.cache);
  return new Elysia()
    .onParse(() => UNREAD)
    .derive(async ({ request, route }) => {
      const caller = await authenticate(request);
      if (caller.kind !== "master" && operationAccess(request.method, route) !== "self") {
        throw new AdminError(403, `Only the master key may call ${request.method} ${route}.`);
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
