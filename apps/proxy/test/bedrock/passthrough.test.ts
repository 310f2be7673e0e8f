import { describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { createAuthenticator } from "../../src/auth/authenticator.ts";
import { createPassthrough } from "../../src/bedrock/passthrough.ts";
import type { CallOutcome, CallPlugin } from "../../src/bedrock/plugin.ts";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { createSigner } from "../../src/bedrock/sign.ts";
import { readConfig } from "../../src/config.ts";

function passthroughWith(plugins: CallPlugin[]) {
  return createPassthrough({
    // Nothing listens on port 9: a call that got that far would fail as unreachable.
    config: readConfig({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" }),
    routes: createRouteTable(bedrockRoutes),
    signer: createSigner(async () => ({ accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" })),
    authenticate: createAuthenticator({ masterKey: null }),
    plugins,
  });
}

const converse = () => new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: "{}" });

describe("plugin lifecycle", () => {
  it("a step that throws still finishes the call once for every plugin, then surfaces the error", async () => {
    const finished: CallOutcome[] = [];
    const recorder: CallPlugin = { name: "recorder", finish: (_call, outcome) => void finished.push(outcome) };
    const broken: CallPlugin = {
      name: "broken",
      admit: () => {
        throw new Error("storage went away");
      },
    };
    await expect(passthroughWith([recorder, broken])(converse())).rejects.toThrow("storage went away");
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ status: 500, refusal: { type: "InternalServerException" } });
  });

  it("a refusal ends the call before upstream, naming the plugin", async () => {
    const finished: CallOutcome[] = [];
    const refuse: CallPlugin = { name: "budget", admit: () => new Response("{}", { status: 403, headers: { "x-amzn-errortype": "AccessDeniedException" } }) };
    const recorder: CallPlugin = { name: "recorder", finish: (_call, outcome) => void finished.push(outcome) };
    const response = await passthroughWith([refuse, recorder])(converse());
    expect(response.status).toBe(403);
    expect(finished).toEqual([expect.objectContaining({ status: 403, refusal: { type: "AccessDeniedException", message: "refused by budget" } })]);
  });

  it("an unreachable upstream is a 502 and one finish", async () => {
    const finished: CallOutcome[] = [];
    const response = await passthroughWith([{ name: "recorder", finish: (_c, o) => void finished.push(o) }])(converse());
    expect(response.status).toBe(502);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
    expect(finished).toHaveLength(1);
  });
});
