// Runtime entry: only the route table is code; everything else is types generated from openapi/gateway.yaml.
export { bedrockRoutes } from "./bedrock-routes.ts";
export { serviceForSegment } from "./service-by-segment.ts";
export type { BedrockRoute, BedrockService, HttpMethod, UsageKind } from "./bedrock-routes.ts";
export type { paths, components, operations, webhooks, $defs } from "./gateway";

import type { components } from "./gateway";

type Schemas = components["schemas"];
// Short names for the admin API's bodies, so callers need not spell out components["schemas"][...].
export type GenerateKeyRequest = Schemas["GenerateKeyRequest"];
export type UpdateKeyRequest = Schemas["UpdateKeyRequest"];
export type RegenerateKeyRequest = Schemas["RegenerateKeyRequest"];
export type KeyFields = Schemas["KeyFields"];
export type KeyResponse = Schemas["KeyResponse"];
export type KeyInfo = Schemas["KeyInfo"];
export type KeyInfoResponse = Schemas["KeyInfoResponse"];
export type KeyListResponse = Schemas["KeyListResponse"];
export type DeleteKeysRequest = Schemas["DeleteKeysRequest"];
export type DeleteKeysResponse = Schemas["DeleteKeysResponse"];
export type SpendLog = Schemas["SpendLog"];
export type SpendLogsResponse = Schemas["SpendLogsResponse"];
export type UsageSource = Schemas["UsageSource"];
export type UserInfo = Schemas["UserInfo"];
export type EndUserInfo = Schemas["EndUserInfo"];
export type Readiness = Schemas["Readiness"];
export type Liveliness = Schemas["Liveliness"];
export type AdminError = Schemas["Error"];
export type BedrockError = Schemas["BedrockError"];
export type SpendGroupBy = Schemas["SpendGroupBy"];
export type SpendFigures = Schemas["SpendFigures"];
export type SpendReport = Schemas["SpendReport"];
export type BudgetUsage = Schemas["BudgetUsage"];
export type BudgetUsageList = Schemas["BudgetUsageList"];
export type KeySearchResponse = Schemas["KeySearchResponse"];
export type GatewayInfo = Schemas["GatewayInfo"];
export type UiSession = Schemas["UiSession"];
