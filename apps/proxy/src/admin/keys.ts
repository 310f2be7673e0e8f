import { Elysia } from "elysia";
import type { DeleteKeysResponse, KeyInfo, KeyInfoResponse, KeyListResponse, KeyResponse } from "@bedrock-gateway/api-types";
import type { KeyCache } from "../keys/key-cache.ts";
import { AwsCredentialsUnavailable, type IssuedKey, type KeyService } from "../keys/key-service.ts";
import { tokenOf } from "../keys/secret.ts";
import { displayCost } from "../spend/cost-display.ts";
import { StoreConflictError, type KeyRow } from "../store/types.ts";
import { createAdminAuth, type AdminCaller } from "./auth.ts";
import { createAdminRoute } from "./route.ts";
import { AdminError, adminErrorResponse } from "./errors.ts";
import { awsCredentialsFlag, boolParam, intParam, keyList, readJsonObject, parseKeyFields, requiredString } from "./validate.ts";

export interface KeyRoutesOptions {
  masterKey: string | null;
  keys: KeyService;
  cache: KeyCache;
  now?: () => number;
  /** Live spend for /key/info (the spend ledger's running total); default: the stored figure. */
  keySpend?: (row: KeyRow) => Promise<number>;
}


/**
 * LiteLLM-compatible `/key/*`. Bodies are parsed and checked here (not by Elysia's schemas, which drop unknown
 * fields silently and answer with their own error shape), so every refusal is a `{"message","type"}` 400 and
 * nothing is written unless the whole request is valid.
 */
export function keyRoutes(options: KeyRoutesOptions) {
  const { keys } = options;
  const now = options.now ?? Date.now;
  const authenticate = createAdminAuth(options.masterKey, options.cache);
  const route = createAdminRoute(authenticate, (error) => {
    if (error instanceof StoreConflictError) return adminErrorResponse(400, `${error.field} is already used by another key.`);
    if (error instanceof AwsCredentialsUnavailable) return adminErrorResponse(400, error.message);
    return null;
  });
  const liveInfo = async (row: KeyRow) => ({ ...keyInfo(row), ...(options.keySpend && { spend: displayCost(await options.keySpend(row)) }) });
  const found = <T>(value: T | null, reference: string): T => {
    if (value === null) throw new AdminError(404, `No key ${display(reference)}.`);
    return value;
  };
  const setBlocked = (blocked: boolean) => async (request: Request) => {
    const b = await readJsonObject(request);
    const reference = requiredString(b, "key");
    if (Object.keys(b).some((name) => name !== "key")) throw new AdminError(400, "Only the field key is accepted.");
    return keyInfo(found(await keys.update(tokenOf(reference), { blocked }), reference));
  };

  return new Elysia()
    .post("/key/generate", route("POST /key/generate", async (request) => {
      const b = await readJsonObject(request);
      const issued = await keys.issue(parseKeyFields(b, now()), { awsCredentials: awsCredentialsFlag(b) });
      return issuedKey(issued);
    }), { parse: "none" })
    .get("/key/info", route("GET /key/info", async (request, caller) => {
      const reference = new URL(request.url).searchParams.get("key");
      const token = reference === null ? null : tokenOf(reference);
      if (caller.kind === "virtual") {
        if (token !== null && token !== caller.row.token) throw new AdminError(403, "A virtual key may read only its own info.");
        return { key: reference ?? caller.row.token, info: await liveInfo(caller.row) } satisfies KeyInfoResponse;
      }
      if (token === null) throw new AdminError(400, "key is required: /key/info?key=<sk-... or token>.");
      return { key: reference!, info: await liveInfo(found(await keys.get(token), reference!)) } satisfies KeyInfoResponse;
    }, "self"))
    .post("/key/update", route("POST /key/update", async (request) => {
      const b = await readJsonObject(request);
      const reference = requiredString(b, "key");
      const patch = parseKeyFields(b, now(), ["key"]);
      // A new secret can only be shown by the call that makes it.
      if (awsCredentialsFlag(b) !== undefined) throw new AdminError(400, "aws_credentials cannot be changed by /key/update: use /key/regenerate, which returns the new pair.");
      return keyInfo(found(await keys.update(tokenOf(reference), patch), reference));
    }), { parse: "none" })
    .post("/key/regenerate", route("POST /key/regenerate", async (request) => {
      const b = await readJsonObject(request);
      const reference = requiredString(b, "key");
      const patch = parseKeyFields(b, now(), ["key"]);
      return issuedKey(found(await keys.regenerate(tokenOf(reference), patch, { awsCredentials: awsCredentialsFlag(b) }), reference));
    }), { parse: "none" })
    .post("/key/delete", route("POST /key/delete", async (request) => {
      const references = keyList(await readJsonObject(request));
      const result = await keys.remove(references.map(tokenOf));
      if (!result.ok) throw new AdminError(404, `No such keys, nothing deleted: ${result.missing.map(display).join(", ")}.`);
      return { deleted_keys: references } satisfies DeleteKeysResponse;
    }), { parse: "none" })
    .get("/key/list", route("GET /key/list", async (request) => {
      const q = new URL(request.url).searchParams;
      const page = intParam(q.get("page"), "page", 1, 1, 1_000_000);
      const size = intParam(q.get("size"), "size", 10, 1, 100);
      const full = boolParam(q.get("return_full_object"), "return_full_object");
      const filter = { userId: q.get("user_id") ?? undefined, teamId: q.get("team_id") ?? undefined, keyAlias: q.get("key_alias") ?? undefined };
      const { rows, total } = await keys.list({ ...filter, offset: (page - 1) * size, limit: size });
      return {
        keys: rows.map((row) => (full ? keyInfo(row) : row.token)),
        total_count: total,
        current_page: page,
        total_pages: Math.ceil(total / size),
      } satisfies KeyListResponse;
    }))
    .post("/key/block", route("POST /key/block", setBlocked(true)), { parse: "none" })
    .post("/key/unblock", route("POST /key/unblock", setBlocked(false)), { parse: "none" });
}

/** A secret in an error message is shown masked; a token hash as it is. */
function display(reference: string): string {
  return reference.startsWith("sk-") ? `sk-...${reference.slice(-4)}` : reference;
}

export function keyInfo(row: KeyRow): KeyInfo {
  return {
    key_alias: row.keyAlias,
    key_name: row.keyName,
    token: row.token,
    spend: displayCost(row.spend),
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    budget_reset_at: row.budgetResetAt,
    models: row.models,
    allowed_routes: row.allowedRoutes,
    rpm_limit: row.rpmLimit,
    tpm_limit: row.tpmLimit,
    expires: row.expires,
    user_id: row.userId,
    team_id: row.teamId,
    metadata: row.metadata,
    blocked: row.blocked,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    aws_access_key_id: row.awsAccessKeyId,
  };
}

function issuedKey({ secret, row, aws }: IssuedKey): KeyResponse {
  return {
    key: secret,
    token: row.token,
    key_alias: row.keyAlias,
    expires: row.expires,
    models: row.models,
    allowed_routes: row.allowedRoutes,
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    rpm_limit: row.rpmLimit,
    tpm_limit: row.tpmLimit,
    user_id: row.userId,
    team_id: row.teamId,
    metadata: row.metadata,
    created_at: row.createdAt,
    ...(aws && { aws_access_key_id: aws.accessKeyId, aws_secret_access_key: aws.secretAccessKey }),
  };
}
