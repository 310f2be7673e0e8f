/**
 * What the emulator's `bedrock` control plane lists: foundation models, the system inference profiles built on
 * them, and batch inference jobs, shaped as ListFoundationModels, ListInferenceProfiles and
 * ListModelInvocationJobs answer (the fields @aws-sdk/client-bedrock and boto3 read). Deterministic, so tests
 * can tell what a filtered answer must keep.
 */
import { notFound } from "../../errors.ts";

const ACCOUNT = "123456789012";
const CREATED = "2025-01-01T00:00:00Z";

interface CatalogModel {
  modelId: string;
  modelName: string;
  providerName: string;
  output: "TEXT" | "EMBEDDING";
  /** Geography prefixes (`us`, `eu`, `global`) of the system inference profiles that route to it. */
  profiles: string[];
}

const MODELS: CatalogModel[] = [
  { modelId: "anthropic.claude-3-haiku-20240307-v1:0", modelName: "Claude 3 Haiku", providerName: "Anthropic", output: "TEXT", profiles: ["us", "eu"] },
  { modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0", modelName: "Claude Sonnet 4.5", providerName: "Anthropic", output: "TEXT", profiles: ["us", "global"] },
  { modelId: "amazon.nova-lite-v1:0", modelName: "Nova Lite", providerName: "Amazon", output: "TEXT", profiles: ["us"] },
  { modelId: "amazon.titan-embed-text-v2:0", modelName: "Titan Text Embeddings V2", providerName: "Amazon", output: "EMBEDDING", profiles: [] },
  { modelId: "meta.llama3-8b-instruct-v1:0", modelName: "Llama 3 8B Instruct", providerName: "Meta", output: "TEXT", profiles: [] },
  { modelId: "cohere.command-r-v1:0", modelName: "Command R", providerName: "Cohere", output: "TEXT", profiles: [] },
  { modelId: "openai.gpt-oss-20b-1:0", modelName: "gpt-oss-20b", providerName: "OpenAI", output: "TEXT", profiles: [] },
  { modelId: "openai.gpt-oss-120b-1:0", modelName: "gpt-oss-120b", providerName: "OpenAI", output: "TEXT", profiles: [] },
];

const JOBS = [
  { id: "emulatorjob0001", name: "nightly-haiku-batch", modelId: "anthropic.claude-3-haiku-20240307-v1:0", status: "Completed" },
  { id: "emulatorjob0002", name: "nova-tagging", modelId: "amazon.nova-lite-v1:0", status: "InProgress" },
];

type Query = Record<string, string | string[]>;

const modelArn = (region: string, modelId: string) => `arn:aws:bedrock:${region}::foundation-model/${modelId}`;

/**
 * The destination regions a system profile of each geography routes to, as GetInferenceProfile lists them (one
 * foundation-model ARN per region): what a gateway learns a profile's reach from (data residency).
 */
export const PROFILE_DESTINATIONS: Record<string, string[]> = {
  us: ["us-east-1", "us-east-2", "us-west-2"],
  eu: ["eu-central-1", "eu-west-1", "eu-west-3"],
  global: ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "ap-northeast-1"],
};

function summary(region: string, m: CatalogModel) {
  return {
    modelArn: modelArn(region, m.modelId),
    modelId: m.modelId,
    modelName: m.modelName,
    providerName: m.providerName,
    inputModalities: ["TEXT"],
    outputModalities: [m.output],
    responseStreamingSupported: m.output === "TEXT",
    customizationsSupported: [],
    inferenceTypesSupported: m.profiles.length ? ["ON_DEMAND", "INFERENCE_PROFILE"] : ["ON_DEMAND"],
    modelLifecycle: { status: "ACTIVE" },
  };
}

/** ListFoundationModels, with its `byProvider` and `byOutputModality` filters. */
export function listFoundationModels(region: string, query: Query) {
  const provider = typeof query.byProvider === "string" ? query.byProvider.toLowerCase() : null;
  const output = typeof query.byOutputModality === "string" ? query.byOutputModality : null;
  const models = MODELS.filter((m) => (!provider || m.providerName.toLowerCase() === provider) && (!output || m.output === output));
  return { modelSummaries: models.map((m) => summary(region, m)) };
}

/** GetFoundationModel by id or foundation-model ARN. */
export function getFoundationModel(region: string, identifier: string) {
  const id = identifier.startsWith("arn:") ? identifier.slice(identifier.indexOf("/") + 1) : identifier;
  const model = MODELS.find((m) => m.modelId === id);
  if (!model) throw notFound(`Could not resolve the foundation model from the provided model identifier ${identifier}.`);
  return { modelDetails: summary(region, model) };
}

/** The system-defined profiles (`us.anthropic...`) of the catalog, as GetInferenceProfile describes one. */
export function systemProfiles(region: string) {
  return MODELS.flatMap((m) =>
    m.profiles.map((prefix) => {
      const id = `${prefix}.${m.modelId}`;
      return {
        inferenceProfileName: `${prefix.toUpperCase()} ${m.modelName}`,
        description: `Routes requests to ${m.modelName} in ${prefix} regions.`,
        createdAt: CREATED,
        updatedAt: CREATED,
        inferenceProfileArn: `arn:aws:bedrock:${region}:${ACCOUNT}:inference-profile/${id}`,
        models: (PROFILE_DESTINATIONS[prefix] ?? [region]).map((destination) => ({ modelArn: modelArn(destination, m.modelId) })),
        inferenceProfileId: id,
        status: "ACTIVE",
        type: "SYSTEM_DEFINED",
      };
    }),
  );
}

/** One page of `items` by `maxResults` / `nextToken` (an offset, as opaque to clients as AWS's token). */
export function page<T>(items: T[], query: Query): { items: T[]; nextToken?: string } {
  const from = typeof query.nextToken === "string" ? Number(query.nextToken) || 0 : 0;
  const size = typeof query.maxResults === "string" ? Math.max(1, Number(query.maxResults) || 1000) : 1000;
  const slice = items.slice(from, from + size);
  return from + size < items.length ? { items: slice, nextToken: String(from + size) } : { items: slice };
}

function job(region: string, j: (typeof JOBS)[number]) {
  return {
    jobArn: `arn:aws:bedrock:${region}:${ACCOUNT}:model-invocation-job/${j.id}`,
    jobName: j.name,
    modelId: j.modelId,
    roleArn: `arn:aws:iam::${ACCOUNT}:role/emulator-batch`,
    status: j.status,
    submitTime: CREATED,
    lastModifiedTime: CREATED,
    inputDataConfig: { s3InputDataConfig: { s3Uri: `s3://emulator-batch/${j.id}/input/` } },
    outputDataConfig: { s3OutputDataConfig: { s3Uri: `s3://emulator-batch/${j.id}/output/` } },
  };
}

export function listModelInvocationJobs(region: string, query: Query) {
  const { items, nextToken } = page(JOBS.map((j) => job(region, j)), query);
  return { invocationJobSummaries: items, ...(nextToken ? { nextToken } : {}) };
}

/** GetModelInvocationJob by job ARN or id. */
export function getModelInvocationJob(region: string, identifier: string) {
  const id = identifier.slice(identifier.lastIndexOf("/") + 1);
  const found = JOBS.find((j) => j.id === id);
  if (!found) throw notFound(`The batch inference job ${identifier} was not found.`);
  return job(region, found);
}
