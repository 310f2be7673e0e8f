import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import {
  AccessDeniedException,
  BedrockClient,
  CreateInferenceProfileCommand,
  DeleteInferenceProfileCommand,
  GetFoundationModelCommand,
  GetInferenceProfileCommand,
  GetModelInvocationJobCommand,
  ListFoundationModelsCommand,
  ListInferenceProfilesCommand,
  ListModelInvocationJobsCommand,
  StopModelInvocationJobCommand,
} from "@aws-sdk/client-bedrock";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { EMULATOR_ACCESS_KEY_ID, EMULATOR_SECRET_ACCESS_KEY } from "@bedrock-gateway/bedrock-emulator";
import { startStack, type Stack } from "../support/fixture.ts";
import { removeScratchDirs, scratchDir } from "../support/scratch-dir.ts";

// The read-only slice of the Bedrock control plane, through the gateway, with unmodified clients:
// @aws-sdk/client-bedrock with the gateway key as a Bedrock API key, and boto3's `bedrock` client.
const MASTER = "sk-master-control-plane";
const script = path.resolve(import.meta.dirname, "../fixtures/control_plane.py");
const hasBoto3 = spawnSync("python3", ["-c", "import boto3"]).status === 0;
if (!hasBoto3) console.warn("boto3 control-plane tests skipped: `python3 -c 'import boto3'` failed (pip install boto3 to run them)");
const run = promisify(execFile);

describe("the Bedrock control plane, read-only, through the gateway", () => {
  let stack: Stack;
  let limited: { key: string };
  let open: { key: string };
  /** The same client a user would write, the gateway key as its Bedrock API key. */
  const bedrock = (key: string) =>
    new BedrockClient({ region: "us-east-1", endpoint: stack.bedrockUrl, token: { token: key }, authSchemePreference: ["httpBearerAuth"], requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  /** The emulator itself, signed with its own credentials: what AWS answers without the gateway in between. */
  const direct = () =>
    new BedrockClient({ region: "us-east-1", endpoint: stack.emulator.url, credentials: { accessKeyId: EMULATOR_ACCESS_KEY_ID, secretAccessKey: EMULATOR_SECRET_ACCESS_KEY }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
  const admin = async (path: string, body: unknown) =>
    (await (await fetch(stack.gateway.url + path, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
  const refused = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e as Error & { $metadata: { httpStatusCode: number } });

  beforeAll(async () => {
    stack = await startStack({ MASTER_KEY: MASTER, GATEWAY_SECRET_KEY: "test-only-gateway-secret-key-0123456789abcdef" });
    limited = await admin("/key/generate", { key_alias: "anthropic-only", models: ["anthropic.*", "us.anthropic.*"] });
    open = await admin("/key/generate", { key_alias: "all-models" });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("a key without a models list gets AWS's answers as they are, signed for service bedrock", async () => {
    const through = await bedrock(open.key).send(new ListFoundationModelsCommand({}));
    const aws = await direct().send(new ListFoundationModelsCommand({}));
    expect(through.modelSummaries).toEqual(aws.modelSummaries);
    expect(through.modelSummaries!.length).toBeGreaterThan(4);
    const profiles = await bedrock(open.key).send(new ListInferenceProfilesCommand({ typeEquals: "SYSTEM_DEFINED" }));
    expect(profiles.inferenceProfileSummaries).toEqual((await direct().send(new ListInferenceProfilesCommand({ typeEquals: "SYSTEM_DEFINED" }))).inferenceProfileSummaries);

    const upstream = stack.emulator.controlPlaneRequests.filter((r) => r.operation === "ListFoundationModels");
    expect(upstream.length).toBe(2);
    expect(upstream.every((r) => r.verified)).toBe(true);
    for (const r of upstream) expect(r.headers.authorization).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
    expect(JSON.stringify(stack.emulator.controlPlaneRequests)).not.toContain(open.key);
  });

  it("a key limited to some models sees only those models, profiles and jobs", async () => {
    const client = bedrock(limited.key);
    const all = (await direct().send(new ListFoundationModelsCommand({}))).modelSummaries!;
    const models = (await client.send(new ListFoundationModelsCommand({}))).modelSummaries!;
    expect(models.map((m) => m.modelId)).toEqual(all.map((m) => m.modelId).filter((id) => id!.startsWith("anthropic.")));
    expect(models.length).toBeGreaterThan(0);
    // Query parameters reach AWS as sent, and the answer is filtered after.
    const byProvider = (await client.send(new ListFoundationModelsCommand({ byProvider: "Amazon" }))).modelSummaries;
    expect(byProvider).toEqual([]);

    const allProfiles = (await direct().send(new ListInferenceProfilesCommand({}))).inferenceProfileSummaries!;
    const profiles = (await client.send(new ListInferenceProfilesCommand({}))).inferenceProfileSummaries!;
    expect(profiles.map((p) => p.inferenceProfileId)).toEqual(allProfiles.map((p) => p.inferenceProfileId).filter((id) => id!.startsWith("us.anthropic.")));

    const jobs = (await client.send(new ListModelInvocationJobsCommand({}))).invocationJobSummaries!;
    expect(jobs.map((j) => j.modelId)).toEqual(["anthropic.claude-3-haiku-20240307-v1:0"]);
    const job = await client.send(new GetModelInvocationJobCommand({ jobIdentifier: jobs[0]!.jobArn }));
    expect(job.modelId).toBe("anthropic.claude-3-haiku-20240307-v1:0");
  });

  it("reads of one model or profile are checked like an invocation; a job on another model is hidden", async () => {
    const client = bedrock(limited.key);
    const haiku = await client.send(new GetFoundationModelCommand({ modelIdentifier: "anthropic.claude-3-haiku-20240307-v1:0" }));
    expect(haiku.modelDetails?.providerName).toBe("Anthropic");
    const profile = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "us.anthropic.claude-3-haiku-20240307-v1:0" }));
    expect(profile.type).toBe("SYSTEM_DEFINED");

    const before = stack.emulator.controlPlaneRequests.length;
    const model = await refused(client.send(new GetFoundationModelCommand({ modelIdentifier: "amazon.nova-lite-v1:0" })));
    expect(model).toBeInstanceOf(AccessDeniedException);
    expect(model!.message).toContain("may not use model amazon.nova-lite-v1:0");
    const otherProfile = await refused(client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "us.amazon.nova-lite-v1:0" })));
    expect(otherProfile).toBeInstanceOf(AccessDeniedException);
    expect(stack.emulator.controlPlaneRequests.length).toBe(before);

    const novaJob = (await direct().send(new ListModelInvocationJobsCommand({}))).invocationJobSummaries!.find((j) => j.modelId === "amazon.nova-lite-v1:0")!;
    const hidden = await refused(client.send(new GetModelInvocationJobCommand({ jobIdentifier: novaJob.jobArn })));
    expect(hidden).toBeInstanceOf(AccessDeniedException);
    expect(hidden!.message).toContain("amazon.nova-lite-v1:0");
  });

  it("writes are refused before anything is sent, saying the control plane is read-only", async () => {
    const before = stack.emulator.controlPlaneRequests.length;
    for (const command of [
      new CreateInferenceProfileCommand({ inferenceProfileName: "mine", modelSource: { copyFrom: "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0" } }),
      new DeleteInferenceProfileCommand({ inferenceProfileIdentifier: "mine" }),
      new StopModelInvocationJobCommand({ jobIdentifier: "emulatorjob0002" }),
    ]) {
      const error = await refused(bedrock(open.key).send(command as any));
      expect(error).toBeInstanceOf(AccessDeniedException);
      expect(error!.message).toContain("read-only");
      expect(error!.$metadata.httpStatusCode).toBe(403);
    }
    expect(stack.emulator.controlPlaneRequests.length).toBe(before);
  });

  it("each read is a spend row of cost 0 (AWS does not bill them), with the operation's name", async () => {
    const { modelSummaries } = await bedrock(open.key).send(new ListFoundationModelsCommand({}));
    expect(modelSummaries!.length).toBeGreaterThan(0);
    let row: any;
    for (let i = 0; i < 100 && !row; i++) {
      const logs = (await (await fetch(stack.gateway.url + "/spend/logs?page_size=1000", { headers: { authorization: `Bearer ${MASTER}` } })).json()) as any;
      row = logs.data.find((r: any) => r.operation === "ListFoundationModels" && r.key_alias === "all-models");
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toMatchObject({ operation: "ListFoundationModels", status: 200, spend: 0 });
  });

  it("with a gateway-issued AWS key pair: the client signs SigV4 for bedrock as for AWS, the gateway verifies and signs anew", async () => {
    const pair = await admin("/key/generate", { key_alias: "control-plane-pair", models: ["anthropic.*"], aws_credentials: true });
    expect(pair.aws_access_key_id, JSON.stringify(pair)).toBeTruthy();
    const client = new BedrockClient({
      region: "us-east-1",
      endpoint: stack.bedrockUrl,
      credentials: { accessKeyId: pair.aws_access_key_id, secretAccessKey: pair.aws_secret_access_key },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    const before = stack.emulator.controlPlaneRequests.length;
    const models = (await client.send(new ListFoundationModelsCommand({ byOutputModality: "TEXT" }))).modelSummaries!;
    expect(models.length).toBeGreaterThan(0);
    expect(models.every((m) => m.modelId!.startsWith("anthropic."))).toBe(true);
    const haiku = await client.send(new GetFoundationModelCommand({ modelIdentifier: "anthropic.claude-3-haiku-20240307-v1:0" }));
    expect(haiku.modelDetails?.modelId).toBe("anthropic.claude-3-haiku-20240307-v1:0");
    const denied = await refused(client.send(new GetFoundationModelCommand({ modelIdentifier: "amazon.nova-lite-v1:0" })));
    expect(denied).toBeInstanceOf(AccessDeniedException);

    const upstream = stack.emulator.controlPlaneRequests.slice(before);
    expect(upstream.map((r) => r.operation)).toEqual(["ListFoundationModels", "GetFoundationModel"]);
    expect(upstream.every((r) => r.verified)).toBe(true);
    expect(upstream[0]!.query).toBe("byOutputModality=TEXT");
    expect(JSON.stringify(upstream.map((r) => r.headers))).not.toContain(pair.aws_access_key_id);

    // A wrong secret is refused as AWS refuses it, before anything is sent.
    const forged = new BedrockClient({ region: "us-east-1", endpoint: stack.bedrockUrl, credentials: { accessKeyId: pair.aws_access_key_id, secretAccessKey: "not-the-secret" }, requestHandler: new NodeHttpHandler(), maxAttempts: 1 });
    const invalid = await refused(forged.send(new ListFoundationModelsCommand({})));
    expect(invalid!.name).toBe("InvalidSignatureException");
    expect(stack.emulator.controlPlaneRequests.length).toBe(before + 2);
  });

  it("allowed_routes: the control-plane group, or the operation ids", async () => {
    const runtimeOnly = await admin("/key/generate", { allowed_routes: ["runtime"] });
    expect(await refused(bedrock(runtimeOnly.key).send(new ListFoundationModelsCommand({})))).toBeInstanceOf(AccessDeniedException);
    const controlPlane = await admin("/key/generate", { allowed_routes: ["control-plane"] });
    expect((await bedrock(controlPlane.key).send(new ListFoundationModelsCommand({}))).modelSummaries!.length).toBeGreaterThan(0);
  });

  it.skipIf(!hasBoto3)("boto3's bedrock client with the gateway key as its Bedrock API key", async () => {
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: scratchDir("aws-home-"),
      AWS_BEARER_TOKEN_BEDROCK: limited.key,
      AWS_DEFAULT_REGION: "us-east-1",
      GATEWAY_BEDROCK_URL: stack.bedrockUrl,
    };
    const { stdout } = await run("python3", [script], { env, encoding: "utf8", timeout: 60_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out.models.length).toBeGreaterThan(0);
    expect(out.models.every((id: string) => id.startsWith("anthropic."))).toBe(true);
    expect(out.profile).toBe("us.anthropic.claude-3-haiku-20240307-v1:0");
    expect(out.denied).toMatchObject({ code: "AccessDeniedException", status: 403 });
    expect(out.write).toMatchObject({ code: "AccessDeniedException", status: 403 });
    expect(out.write.message).toContain("read-only");
  });
});

afterAll(removeScratchDirs);
