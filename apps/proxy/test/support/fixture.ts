import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { BedrockAgentRuntimeClient } from "@aws-sdk/client-bedrock-agent-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  EMULATOR_ACCESS_KEY_ID,
  EMULATOR_SECRET_ACCESS_KEY,
  startEmulator,
  type RunningEmulator,
} from "@bedrock-gateway/bedrock-emulator";
import { startGateway, type GatewayProcess, type ProxyRuntime } from "./gateway-process.ts";

export interface Stack {
  emulator: RunningEmulator;
  gateway: GatewayProcess;
  bedrockUrl: string;
  stop(): Promise<void>;
}

/** A real emulator and a real gateway process configured to sign for it. */
export async function startStack(env: Record<string, string> = {}, runtime?: ProxyRuntime): Promise<Stack> {
  const emulator = await startEmulator({ port: 0 });
  const gateway = await startGateway({ ...emulatorEnv(emulator), ...env }, runtime).catch(async (error) => {
    await emulator.close();
    throw error;
  });
  return {
    emulator,
    gateway,
    bedrockUrl: gateway.url + "/bedrock",
    async stop() {
      await gateway.stop();
      await emulator.close();
    },
  };
}

export function emulatorEnv(emulator: { url: string }): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: EMULATOR_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: EMULATOR_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: emulator.url,
    // The control planes the gateway asks which model a profile or agent runs.
    AWS_ENDPOINT_URL_BEDROCK: emulator.url,
    AWS_ENDPOINT_URL_BEDROCK_AGENT: emulator.url,
  };
}

// The SDKs' default HTTP/2 handler fails against an HTTP/1.1 server.
const http1 = () => new NodeHttpHandler();

/** bedrock-runtime with a Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK` style): the SDK sends `Authorization: Bearer`. */
export function runtimeClient(bedrockUrl: string, key: string, extra: Record<string, unknown> = {}) {
  return new BedrockRuntimeClient({
    region: "us-east-1",
    endpoint: bedrockUrl,
    token: { token: key },
    authSchemePreference: ["httpBearerAuth"],
    requestHandler: http1(),
    maxAttempts: 1,
    ...extra,
  });
}

/**
 * bedrock-agent-runtime has no bearer scheme in the SDK: clients sign with placeholder credentials and add the
 * key in a header, as the reference product's boto3 example does.
 */
export function agentClient(bedrockUrl: string, key: string, header = "x-api-key") {
  const client = new BedrockAgentRuntimeClient({
    region: "us-east-1",
    endpoint: bedrockUrl,
    credentials: { accessKeyId: "my-fake-key-id", secretAccessKey: "my-fake-access-key" },
    requestHandler: http1(),
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (next) => async (args: any) => {
      args.request.headers[header] = key;
      return next(args);
    },
    { step: "finalizeRequest", name: "gatewayKeyHeader" },
  );
  return client;
}
