/** Per-operation request checks that run after SigV4 and routing, before the operation answers. */
import type { AwsError } from "./errors.ts";
import { converseRequestProblem } from "./validate-converse.ts";
import { memberProblem } from "./validate-members.ts";
import { modelBodyProblem } from "./validate-model-body.ts";

type Json = Record<string, unknown>;

const validators: Record<string, (body: Json, params: Record<string, string>) => AwsError | null> = {
  Converse: converseRequestProblem,
  ConverseStream: converseRequestProblem,
  InvokeModel: (body, params) => modelBodyProblem(params.modelId ?? "", body),
  InvokeModelWithResponseStream: (body, params) => modelBodyProblem(params.modelId ?? "", body),
};

export function requestProblem(operation: string, body: Json, params: Record<string, string>): AwsError | null {
  return (validators[operation] ?? ((b: Json) => memberProblem(operation, b)))(body, params);
}
