import { describe, expect, it } from "vitest";
import spec from "@bedrock-gateway/api-types/openapi.json" with { type: "json" };
import { composeAdminApi, composeUiAdminApi } from "../../src/compose/admin.ts";
import { operationAccess, specOperationId, specQuery } from "../../src/admin/spec-validation.ts";

// Routes are only registered here, never called: the services behind them are not needed.
const unused = {} as never;
const parts = {
  masterKey: "sk-master",
  cache: unused,
  keys: { keys: unused },
  spend: { store: unused, ledger: unused, scopes: unused },
  aggregates: { store: unused, instance: { version: "0", runtime: "test", startedAt: 0 } },
};
const served = composeAdminApi(parts).routes.map((r) => `${r.method} ${r.path}`);
const servedToPage = composeUiAdminApi({ ...parts, sessions: unused, readiness: unused }).routes.map((r) => `${r.method} ${r.path}`);

describe("the admin API and openapi/gateway.yaml", () => {
  it("serves no admin route the spec does not define", () => {
    expect(served.filter((route) => !specOperationId(route.split(" ")[0]!, route.split(" ")[1]!))).toEqual([]);
  });

  it("serves every bearer-authenticated admin operation of the spec", () => {
    const specified: string[] = [];
    for (const [path, item] of Object.entries(spec.paths as Record<string, Record<string, { security?: Record<string, unknown>[] }>>)) {
      if (path.startsWith("/bedrock/")) continue;
      for (const [method, op] of Object.entries(item)) {
        if (op.security?.some((s) => "bearerAuth" in s)) specified.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(specified.length).toBeGreaterThan(20);
    expect(specified.filter((route) => !served.includes(route))).toEqual([]);
  });

  it("lets a virtual key call only the operations marked x-gateway-access: self", () => {
    expect(served.filter((route) => operationAccess(route.split(" ")[0]!, route.split(" ")[1]!) === "self").sort()).toEqual(["GET /key/info", "GET /spend/logs"]);
    expect(operationAccess("GET", "/no/such/route")).toBe("master");
  });

  it("serves the admin page the same operations under /ui/api, and the health probes it shows", () => {
    const health = ["GET /ui/api/health/liveliness", "GET /ui/api/health/liveness", "GET /ui/api/health/readiness"];
    expect(servedToPage.sort()).toEqual([...served.map((route) => route.replace(" /", " /ui/api/")), ...health].sort());
  });

  it("refuses, at start, a query whose defaults the code and the spec disagree on", () => {
    expect(() => specQuery("listKeys", ["page"] as never)).toThrow(/defaulted query parameters are \[page, return_full_object, size\]/);
  });
});
