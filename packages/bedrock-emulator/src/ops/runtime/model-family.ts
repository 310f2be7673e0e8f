/** Which model-native JSON dialect a model id speaks on InvokeModel. */

export type ModelFamily = "anthropic" | "nova" | "titan-text" | "meta" | "mistral" | "cohere" | "ai21" | "deepseek";

// Cross-region inference profiles prefix the base model id with a geography.
const PROFILE_PREFIX = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The foundation model id under a cross-region profile's geography prefix (`us.anthropic...` → `anthropic...`). */
export function baseModelId(modelId: string): string {
  return modelId.replace(PROFILE_PREFIX, "");
}

export function modelFamily(modelId: string): ModelFamily {
  // ARNs (application inference profiles, provisioned throughput) hide the model; Claude is the common case.
  if (modelId.startsWith("arn:")) return "anthropic";
  const id = modelId.replace(PROFILE_PREFIX, "");
  if (id.startsWith("anthropic.")) return "anthropic";
  if (id.startsWith("amazon.nova")) return "nova";
  if (id.startsWith("amazon.titan-text")) return "titan-text";
  if (id.startsWith("meta.")) return "meta";
  if (id.startsWith("mistral.")) return "mistral";
  if (id.startsWith("cohere.")) return "cohere";
  if (id.startsWith("ai21.")) return "ai21";
  if (id.startsWith("deepseek.")) return "deepseek";
  return "anthropic";
}
