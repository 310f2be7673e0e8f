import { createServer, type Socket } from "node:net";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { describe, expect, it } from "vitest";
import { bedrockRoutes } from "@bedrock-gateway/api-types";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY, startEmulator } from "@bedrock-gateway/bedrock-emulator";
import { createAuthenticator } from "../../src/auth/authenticator.ts";
import { createBedrockPipeline } from "../../src/pipeline/bedrock-call.ts";
import type { CallOutcome, CallStep } from "../../src/pipeline/step.ts";
import { createRouteTable } from "../../src/bedrock/route-table.ts";
import { createSigner } from "../../src/bedrock/sign.ts";
import { readConfig } from "../../src/config.ts";

// Nothing listens on port 9: a call that got that far would fail as unreachable.
const emulatorCredentials = async () => ({ accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY });

/** Each step takes part in the phases it has a hook for, in list order. */
function passthroughWith(steps: CallStep[], upstream = "http://127.0.0.1:9", upstreamTimeoutMs?: number, credentials: AwsCredentialIdentityProvider = emulatorCredentials, env: Record<string, string> = {}) {
  return createBedrockPipeline({
    config: readConfig({ AWS_ENDPOINT_URL: upstream, UPSTREAM_TIMEOUT_MS: upstreamTimeoutMs?.toString(), ...env }),
    routes: createRouteTable(bedrockRoutes),
    signer: createSigner(credentials),
    authenticate: createAuthenticator({ masterKey: null }),
    steps: { admit: steps.filter((s) => s.admit), tap: steps.filter((s) => s.tap), record: steps.filter((s) => s.record) },
  });
}

const converse = () => new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: "{}" });

describe("the Bedrock pipeline's steps", () => {
  it("a step that throws still records the call once in every record step, then surfaces the error", async () => {
    const finished: CallOutcome[] = [];
    const recorder: CallStep = { name: "recorder", record: (_call, outcome) => void finished.push(outcome) };
    const broken: CallStep = {
      name: "broken",
      admit: () => {
        throw new Error("storage went away");
      },
    };
    await expect(passthroughWith([recorder, broken])(converse())).rejects.toThrow("storage went away");
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ status: 500, refusal: { type: "InternalServerException" } });
  });

  it("a refusal ends the call before upstream, naming the step", async () => {
    const finished: CallOutcome[] = [];
    const refuse: CallStep = { name: "budget", admit: () => ({ status: 403, type: "AccessDeniedException", message: "over budget" }) };
    const recorder: CallStep = { name: "recorder", record: (_call, outcome) => void finished.push(outcome) };
    const response = await passthroughWith([refuse, recorder])(converse());
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    expect(finished).toEqual([expect.objectContaining({ status: 403, refusal: expect.objectContaining({ type: "AccessDeniedException", by: "budget" }) })]);
  });

  it("an unreachable upstream is a 502 and one finish", async () => {
    const finished: CallOutcome[] = [];
    const response = await passthroughWith([{ name: "recorder", record: (_c, o) => void finished.push(o) }])(converse());
    expect(response.status).toBe(502);
    expect(response.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
    expect(finished).toHaveLength(1);
  });

  it("without AWS credentials it is a 500 saying the gateway could not sign, nothing is sent, one finish", async () => {
    const finished: CallOutcome[] = [];
    const noCredentials = async () => {
      throw new Error("Could not load credentials from any providers");
    };
    // Port 9: had the call been sent, it would be a 502 (unreachable), not this.
    const response = await passthroughWith([{ name: "recorder", record: (_c, o) => void finished.push(o) }], undefined, undefined, noCredentials)(converse());
    expect(response.status).toBe(500);
    expect(response.headers.get("x-amzn-errortype")).toBe("InternalServerException");
    const { message } = (await response.json()) as { message: string };
    expect(message).toContain("could not sign the call with its AWS credentials (Could not load credentials from any providers)");
    expect(finished).toEqual([expect.objectContaining({ status: 500, refusal: expect.objectContaining({ type: "InternalServerException" }) })]);
  });

  it("answers first and records after; a step whose record throws neither stops the others' nor the gateway", async () => {
    const emulator = await startEmulator({ port: 0 });
    try {
      const finished: CallOutcome[] = [];
      const broken: CallStep = {
        name: "broken",
        record: () => {
          throw new Error("bug in a step");
        },
      };
      const recorder: CallStep = { name: "recorder", record: (_call, outcome) => void finished.push(outcome) };
      const passthrough = passthroughWith([broken, recorder], emulator.url);
      const body = JSON.stringify({ messages: [{ role: "user", content: [{ text: "two words" }] }] });
      const call = () => passthrough(new Request("http://localhost/bedrock/model/m/converse", { method: "POST", headers: { "content-type": "application/json" }, body }));

      const first = await call();
      expect(first.status).toBe(200);
      // The bookkeeping waits for the next turn of the event loop.
      expect(finished).toHaveLength(0);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(finished).toEqual([expect.objectContaining({ status: 200, usage: expect.objectContaining({ inputTokens: expect.any(Number), complete: true }) })]);

      expect((await call()).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(finished).toHaveLength(2);
    } finally {
      await emulator.close();
    }
  });

  it("an upstream that does not answer in time is a 504, its connection is closed, and the call finishes once", async () => {
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    const silent = createServer((socket) => {
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.on("close", () => resolve())));
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const finished: CallOutcome[] = [];
      const passthrough = passthroughWith([{ name: "recorder", record: (_c, o) => void finished.push(o) }], `http://127.0.0.1:${port}`, 200);
      const response = await passthrough(converse());
      expect(response.status).toBe(504);
      expect(response.headers.get("x-amzn-errortype")).toBe("ServiceUnavailableException");
      expect(((await response.json()) as { message: string }).message).toBe("Bedrock did not answer within 200 ms.");
      expect(finished).toEqual([expect.objectContaining({ status: 504 })]);
      expect(sockets).toHaveLength(1);
      await closed[0];
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("a body that stops arriving is a 408 RequestTimeoutException after BODY_READ_TIMEOUT_MS, recorded once, nothing sent", async () => {
    for (const declared of [false, true]) {
      const finished: CallOutcome[] = [];
      let cancelled = false;
      // Ten bytes, then nothing: the client is still connected but sends no more.
      const stalled = new ReadableStream<Uint8Array>({
        start: (controller) => controller.enqueue(new Uint8Array(10)),
        cancel: () => void (cancelled = true),
      });
      const headers = declared ? { "content-length": "100" } : undefined;
      const request = new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: stalled, headers, duplex: "half" } as RequestInit);
      const pipeline = passthroughWith([{ name: "recorder", record: (_c, o) => void finished.push(o) }], undefined, undefined, undefined, { BODY_READ_TIMEOUT_MS: "150" });
      const response = await pipeline(request);
      expect(response.status, `content-length declared: ${declared}`).toBe(408);
      expect(response.headers.get("x-amzn-errortype")).toBe("RequestTimeoutException");
      expect(((await response.json()) as { message: string }).message).toBe("The request body did not arrive within 150 ms (BODY_READ_TIMEOUT_MS).");
      expect(finished).toEqual([expect.objectContaining({ status: 408, refusal: expect.objectContaining({ by: "read-body" }) })]);
      // Read chunk by chunk, it is released for the runtime edge to end, not cancelled: Deno drains a body
      // cancelled before the answer for as long as the client sends (runtime/deno-close-after-refusal.ts). A small
      // declared body is read whole by the runtime, which goes on after the refusal.
      expect(request.body!.locked).toBe(declared);
      expect(cancelled).toBe(false);
    }
  });

  /** `size` bytes in chunks of `chunk` bytes, one every `everyMs`. */
  function paced(size: number, chunk: number, everyMs: number): ReadableStream<Uint8Array> {
    let sent = 0;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= size) return controller.close();
        if (sent > 0) await new Promise((resolve) => setTimeout(resolve, everyMs));
        controller.enqueue(new TextEncoder().encode(" ".repeat(Math.min(chunk, size - sent))));
        sent += chunk;
      },
    });
  }
  const floor = { BODY_READ_TIMEOUT_MS: "60000", BODY_MIN_BYTES_PER_SEC: "1000", BODY_MIN_RATE_WINDOW_MS: "300" };

  it("a body slower than BODY_MIN_BYTES_PER_SEC over a window is a 408 at the end of that window, long before BODY_READ_TIMEOUT_MS", async () => {
    // 5 bytes every 50 ms = 100 bytes/s, a tenth of the floor: chunked, declared (read chunk by chunk), and declared
    // within one window's quota of 300 bytes (read whole, with the first window as its deadline).
    for (const [declared, size, message] of [
      [false, 2_000, /^The request body arrived at \d+ bytes\/s over 300 ms, below the gateway's minimum of 1000 bytes\/s \(BODY_MIN_BYTES_PER_SEC\)\.$/],
      [true, 2_000, /^The request body arrived at \d+ bytes\/s over 300 ms, below the gateway's minimum of 1000 bytes\/s \(BODY_MIN_BYTES_PER_SEC\)\.$/],
      [true, 250, /^The request body of 250 bytes did not arrive within 300 ms, below the gateway's minimum of 1000 bytes\/s \(BODY_MIN_BYTES_PER_SEC\)\.$/],
    ] as const) {
      const finished: CallOutcome[] = [];
      const headers = declared ? { "content-length": String(size) } : undefined;
      const request = new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: paced(size, 5, 50), headers, duplex: "half" } as RequestInit);
      const started = Date.now();
      const response = await passthroughWith([{ name: "recorder", record: (_c, o) => void finished.push(o) }], undefined, undefined, undefined, floor)(request);
      expect(response.status, `${size} bytes, content-length declared: ${declared}`).toBe(408);
      expect(response.headers.get("x-amzn-errortype")).toBe("RequestTimeoutException");
      expect(((await response.json()) as { message: string }).message).toMatch(message);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(finished).toEqual([expect.objectContaining({ status: 408, refusal: expect.objectContaining({ by: "read-body" }) })]);
    }
  });

  it("a slow body above the floor is read whole (here it goes on to the unreachable upstream: 502, not 408)", async () => {
    // 100 bytes every 50 ms = 2,000 bytes/s, twice the floor, for ~1.5 s: five windows; chunked and declared.
    for (const headers of [undefined, { "content-length": "3000" }]) {
      const request = new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: paced(3_000, 100, 50), headers, duplex: "half" } as RequestInit);
      const response = await passthroughWith([], undefined, undefined, undefined, floor)(request);
      expect(response.status).toBe(502);
    }
    // Within one window's quota, declared: read whole, well within the first window.
    const small = new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: paced(250, 50, 20), headers: { "content-length": "250" }, duplex: "half" } as RequestInit);
    expect((await passthroughWith([], undefined, undefined, undefined, floor)(small)).status).toBe(502);
  });

  it("BODY_MIN_BYTES_PER_SEC=0 turns the floor off: only BODY_READ_TIMEOUT_MS applies", async () => {
    const request = new Request("http://localhost/bedrock/model/m/converse", { method: "POST", body: paced(50, 5, 50), duplex: "half" } as RequestInit);
    const response = await passthroughWith([], undefined, undefined, undefined, { ...floor, BODY_MIN_BYTES_PER_SEC: "0" })(request);
    expect(response.status).toBe(502);
  });
});
