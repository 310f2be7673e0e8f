import type {
  AgenticRetrieveStreamRequest,
  InvokeInlineAgentRequest,
  KnowledgeBaseRetrievalConfiguration,
  PromptOverrideConfiguration,
  RerankRequest,
  RetrieveAndGenerateRequest,
  RetrieveAndGenerateStreamRequest,
  RetrieveRequest,
} from "@aws-sdk/client-bedrock-agent-runtime";
import type { StartAsyncInvokeRequest } from "@aws-sdk/client-bedrock-runtime";
import { isObject } from "../usage/json.ts";

/** An object, or the element of an array (the SDK's lists), without `undefined`. */
type Node<T> = NonNullable<T> extends readonly (infer E)[] ? NonNullable<E> : NonNullable<T>;
/** Keys and members of every member of a union (the SDK's tagged unions, e.g. RetrieverConfiguration). */
type AllKeys<T> = T extends unknown ? keyof T : never;
type Member<T, K> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/**
 * Where a request names models, as a tree shaped like the SDK's request type: `true` at a string field holding a
 * model id or ARN, a subtree under an object (or a list: every element). Checked against the SDK's types, so a
 * misspelt or renamed field fails the typecheck.
 */
export type ModelFields<T> = {
  [K in AllKeys<Node<T>> & string]?: NonNullable<Member<Node<T>, K>> extends string ? true : ModelFields<Member<Node<T>, K>>;
};

/** The same tree, untyped, as the walker reads it. */
export interface FieldTree {
  [field: string]: true | FieldTree;
}

/** A knowledge base query's reranking and implicit-filter models (Retrieve, RetrieveAndGenerate, inline agents). */
const retrieval = {
  vectorSearchConfiguration: {
    rerankingConfiguration: { bedrockRerankingConfiguration: { modelConfiguration: { modelArn: true } } },
    implicitFilterConfiguration: { modelArn: true },
  },
  managedSearchConfiguration: { rerankingConfiguration: { bedrockRerankingConfiguration: { modelConfiguration: { modelArn: true } } } },
} satisfies ModelFields<KnowledgeBaseRetrievalConfiguration>;

const promptOverrides = { promptConfigurations: { foundationModel: true } } satisfies ModelFields<PromptOverrideConfiguration>;

const retrieveAndGenerate = {
  retrieveAndGenerateConfiguration: {
    knowledgeBaseConfiguration: { modelArn: true, retrievalConfiguration: retrieval },
    externalSourcesConfiguration: { modelArn: true },
  },
} satisfies ModelFields<RetrieveAndGenerateRequest> & ModelFields<RetrieveAndGenerateStreamRequest>;

/**
 * By operation: the request-body fields that name a model Bedrock runs for the call (besides a `/model/{modelId}`
 * path and the OpenAI/Anthropic routes' `model`). Bedrock may serve such a model in another region when it is an
 * inference profile, so data residency checks each (region-policy.ts).
 */
export const bodyModelFields: Record<string, FieldTree> = {
  StartAsyncInvoke: { modelId: true } satisfies ModelFields<StartAsyncInvokeRequest>,
  RetrieveAndGenerate: retrieveAndGenerate,
  RetrieveAndGenerateStream: retrieveAndGenerate,
  Retrieve: { retrievalConfiguration: retrieval } satisfies ModelFields<RetrieveRequest>,
  Rerank: { rerankingConfiguration: { bedrockRerankingConfiguration: { modelConfiguration: { modelArn: true } } } } satisfies ModelFields<RerankRequest>,
  InvokeInlineAgent: {
    foundationModel: true,
    promptOverrideConfiguration: promptOverrides,
    knowledgeBases: { retrievalConfiguration: retrieval },
    // Multi-agent collaboration: each collaborator runs its own model.
    collaborators: { foundationModel: true, promptOverrideConfiguration: promptOverrides, knowledgeBases: { retrievalConfiguration: retrieval } },
  } satisfies ModelFields<InvokeInlineAgentRequest>,
  AgenticRetrieveStream: {
    agenticRetrieveConfiguration: {
      foundationModelConfiguration: {
        bedrockFoundationModelConfiguration: { modelConfiguration: { modelArn: true } },
        mantleFoundationModelConfiguration: { modelConfiguration: { modelArn: true } },
      },
      rerankingConfiguration: { bedrockRerankingConfiguration: { modelConfiguration: { modelArn: true } } },
    },
  } satisfies ModelFields<AgenticRetrieveStreamRequest>,
};

/** A model a request body names, and where: `collaborators[1].foundationModel`. */
export interface BodyModel {
  field: string;
  model: string;
}

/** Every non-empty model id or ARN a request body (parsed JSON) names in `fields`, in document order. */
export function modelsInBody(fields: FieldTree, body: unknown): BodyModel[] {
  const found: BodyModel[] = [];
  const walk = (spec: FieldTree, value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((element, i) => walk(spec, element, `${path}[${i}]`));
      return;
    }
    if (!isObject(value)) return;
    for (const [key, sub] of Object.entries(spec)) {
      const field = path ? `${path}.${key}` : key;
      const member = value[key];
      if (sub === true) {
        if (typeof member === "string" && member !== "") found.push({ field, model: member });
      } else walk(sub, member, field);
    }
  };
  walk(fields, body, "");
  return found;
}
