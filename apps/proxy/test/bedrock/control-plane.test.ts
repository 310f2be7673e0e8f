import { describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { sdkOperations } from "../../../../packages/api-types/scripts/sdk-operations.ts";
import { controlPlaneRefusal, controlPlaneSegments } from "../../src/bedrock/control-plane.ts";
import { dialectOf, renderRefusal, refuse } from "../../src/pipeline/refusal.ts";

describe("the control plane's read-only slice", () => {
  it("knows every first path segment of @aws-sdk/client-bedrock, so no control-plane call is mistaken for an unknown route", () => {
    const segments = new Set(sdkOperations("bedrock").map((o) => o.path.split("/")[1]!));
    expect([...segments].filter((s) => !controlPlaneSegments.has(s))).toEqual([]);
    // ...and none of them is a runtime's: the first segment still picks one service.
    const runtimeSegments = bedrockRoutes.filter((r) => r.service !== "bedrock").map((r) => r.segments[0]);
    expect(runtimeSegments.filter((s) => controlPlaneSegments.has(s!))).toEqual([]);
  });

  it("refuses writes with a reason and names the reads it serves", () => {
    const write = controlPlaneRefusal("POST", "/inference-profiles");
    expect(write).toMatchObject({ status: 403, type: "AccessDeniedException" });
    expect(write.message).toContain("read-only");
    expect(write.message).toContain("ListFoundationModels");
    expect(controlPlaneRefusal("GET", "/custom-models")).toMatchObject({ status: 404, type: "UnknownOperationException" });
  });
});

describe("refusal dialects", () => {
  it("the OpenAI-compatible paths get OpenAI's error shape; everything else AWS's", async () => {
    expect(dialectOf("http://gw:4000/bedrock/openai/v1/chat/completions")).toBe("openai");
    expect(dialectOf("http://gw:4000/bedrock/model/openai.gpt-oss-20b-1%3A0/converse")).toBe("aws");
    expect(dialectOf("http://gw:4000/openai/v1/chat/completions")).toBe("aws");

    const throttled = refuse.throttling("over rpm_limit", 3);
    const openai = renderRefusal(throttled, "openai");
    expect(openai.status).toBe(429);
    expect(openai.headers.get("retry-after")).toBe("3");
    expect(openai.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(await openai.json()).toEqual({ error: { message: "over rpm_limit", type: "rate_limit_error", code: "ThrottlingException" } });
    expect(await renderRefusal(throttled).json()).toEqual({ message: "over rpm_limit" });
    expect((await renderRefusal(refuse.accessDenied("no"), "openai").json()).error.type).toBe("permission_error");
    expect((await renderRefusal(refuse.badGateway("down"), "openai").json()).error.type).toBe("api_error");
  });

  it("the Anthropic Messages path gets Anthropic's error shape, which its SDKs type by status and read the message of", async () => {
    expect(dialectOf("http://gw:4000/bedrock/anthropic/v1/messages")).toBe("anthropic");
    expect(dialectOf("https://gw/bedrock/anthropic/v1/messages/count_tokens?beta=true")).toBe("anthropic");
    expect(dialectOf("http://gw:4000/bedrock/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke")).toBe("aws");
    expect(dialectOf("http://gw:4000/anthropic/v1/messages")).toBe("aws");

    const throttled = renderRefusal(refuse.throttling("over rpm_limit", 2), "anthropic");
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("2");
    expect(throttled.headers.get("x-amzn-errortype")).toBe("ThrottlingException");
    expect(await throttled.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "over rpm_limit" } });
    const types = await Promise.all(
      [refuse.validation("x"), refuse.unrecognizedClient("x"), refuse.accessDenied("x"), refuse.unknownOperation("x"), refuse.tooLarge("x"), refuse.badGateway("x"), refuse.gatewayTimeout("x")].map(
        async (r) => (await renderRefusal(r, "anthropic").json()).error.type,
      ),
    );
    expect(types).toEqual(["invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large", "api_error", "timeout_error"]);
  });
});
