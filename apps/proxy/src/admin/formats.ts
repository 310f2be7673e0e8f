import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { routeGroups } from "../policy/allow-list.ts";

const operationIds = new Set(bedrockRoutes.map((r) => r.operationId));

/** Formats openapi/gateway.yaml uses beyond JSON Schema's own (date-time comes from ajv-formats). */
export const gatewayFormats: Record<string, { check: (value: string) => boolean }> = {
  /** An `allowed_routes` entry: a route group or an operation id of the spec's /bedrock paths. */
  "bedrock-route": { check: (value) => routeGroups.has(value) || operationIds.has(value) },
};

/** What a value of each format looks like, for the 400 that refuses one; `where` names the field. */
export const formatProblems: Record<string, (where: string, value: unknown) => string> = {
  "date-time": (where) => `${where} must be an ISO-8601 date-time with a time zone, such as 2030-01-31T00:00:00Z`,
  "bedrock-route": (where, value) =>
    `${where}: unknown route ${JSON.stringify(value)}; use a group (${[...routeGroups].join(", ")}) or a Bedrock operation id such as Converse`,
};
