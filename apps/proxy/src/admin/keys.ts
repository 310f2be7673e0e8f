import type { KeyInfo, KeyResponse } from "@bedrock-gateway/api-types";
import { AwsCredentialsUnavailable, type IssuedKey, type KeyService } from "../keys/key-service.ts";
import { tokenOf } from "../keys/secret.ts";
import { displayCost } from "../spend/cost-display.ts";
import { StoreConflictError, type KeyRow } from "../store/types.ts";
import type { AdminApp, Answer } from "./admin-app.ts";
import { AdminError, BadRequest } from "./errors.ts";
import { keyPatch } from "./settings-patch.ts";
import { specBody, specQuery } from "./spec-validation.ts";

export interface KeyRoutesOptions {
  keys: KeyService;
  now?: () => number;
  /** Live spend for /key/info (the spend ledger's running total); default: the stored figure. */
  keySpend?: (row: KeyRow) => Promise<number>;
}

/**
 * LiteLLM-compatible `/key/*`. Bodies and queries are validated against the spec's schemas before a handler
 * runs (unknown fields refused, so a misspelt limit cannot mint an unlimited key); nothing is written unless the
 * whole request is valid.
 */
export function keyRoutes(app: AdminApp, options: KeyRoutesOptions) {
  const { keys } = options;
  const now = options.now ?? Date.now;
  const liveInfo = async (row: KeyRow) => ({ ...keyInfo(row), ...(options.keySpend && { spend: displayCost(await options.keySpend(row)) }) });
  const found = <T>(value: T | null, reference: string): T => {
    if (value === null) throw new AdminError(404, `No key ${display(reference)}.`);
    return value;
  };
  const setBlocked = (blocked: boolean) => async ({ body }: { body: { key: string } }) =>
    keyInfo(found(await keys.update(tokenOf(body.key), { blocked }), body.key));

  return app
    .post(
      "/key/generate",
      async ({ body }) => issuedKey(await refusals(keys.issue(keyPatch(body, now()), { awsCredentials: body.aws_credentials }))) satisfies Answer<"generateKey">,
      { body: specBody("GenerateKeyRequest") },
    )
    .get(
      "/key/info",
      async ({ query, caller }) => {
        const reference = query.key;
        const token = reference === undefined ? null : tokenOf(reference);
        if (caller.kind === "virtual") {
          if (token !== null && token !== caller.row.token) throw new AdminError(403, "A virtual key may read only its own info.");
          return { key: reference ?? caller.row.token, info: await liveInfo(caller.row) } satisfies Answer<"keyInfo">;
        }
        if (reference === undefined || token === null) throw new BadRequest("key is required: /key/info?key=<sk-... or token>.");
        return { key: reference, info: await liveInfo(found(await keys.get(token), reference)) } satisfies Answer<"keyInfo">;
      },
      { query: specQuery("keyInfo") },
    )
    .post(
      "/key/update",
      async ({ body }) => {
        // A new secret can only be shown by the call that makes it.
        if (body.aws_credentials !== undefined) throw new BadRequest("aws_credentials cannot be changed by /key/update: use /key/regenerate, which returns the new pair.");
        return keyInfo(found(await refusals(keys.update(tokenOf(body.key), keyPatch(body, now()))), body.key)) satisfies Answer<"updateKey">;
      },
      { body: specBody("UpdateKeyRequest") },
    )
    .post(
      "/key/regenerate",
      async ({ body }) => {
        const issued = await refusals(keys.regenerate(tokenOf(body.key), keyPatch(body, now()), { awsCredentials: body.aws_credentials }));
        return issuedKey(found(issued, body.key)) satisfies Answer<"regenerateKey">;
      },
      { body: specBody("RegenerateKeyRequest") },
    )
    .post(
      "/key/delete",
      async ({ body }) => {
        const result = await keys.remove(body.keys.map(tokenOf));
        if (!result.ok) throw new AdminError(404, `No such keys, nothing deleted: ${result.missing.map(display).join(", ")}.`);
        return { deleted_keys: body.keys } satisfies Answer<"deleteKeys">;
      },
      { body: specBody("DeleteKeysRequest") },
    )
    .get(
      "/key/list",
      async ({ query }) => {
        const { page, size } = query;
        const filter = { userId: query.user_id, teamId: query.team_id, keyAlias: query.key_alias };
        const { rows, total } = await keys.list({ ...filter, offset: (page - 1) * size, limit: size });
        return {
          keys: rows.map((row) => (query.return_full_object ? keyInfo(row) : row.token)),
          total_count: total,
          current_page: page,
          total_pages: Math.ceil(total / size),
        } satisfies Answer<"listKeys">;
      },
      { query: specQuery("listKeys", ["page", "size", "return_full_object"]) },
    )
    .post("/key/block", async (context) => (await setBlocked(true)(context)) satisfies Answer<"blockKey">, { body: specBody("BlockKeyRequest") })
    .post("/key/unblock", async (context) => (await setBlocked(false)(context)) satisfies Answer<"unblockKey">, { body: specBody("BlockKeyRequest") });
}

/** The key service's refusals of a well-formed request (an alias already taken, no GATEWAY_SECRET_KEY) are 400s. */
async function refusals<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StoreConflictError) throw new BadRequest(`${error.field} is already used by another key.`);
    if (error instanceof AwsCredentialsUnavailable) throw new BadRequest(error.message);
    throw error;
  }
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
    allowed_regions: row.allowedRegions,
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
    allowed_regions: row.allowedRegions,
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
