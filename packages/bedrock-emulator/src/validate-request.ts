/** Per-operation request checks that run after SigV4 and routing, before the operation answers. */
import type { AwsError } from "./errors.ts";
import { converseRequestProblem } from "./validate-converse.ts";

const validators: Record<string, (body: Record<string, unknown>) => AwsError | null> = {
  Converse: converseRequestProblem,
  ConverseStream: converseRequestProblem,
};

export function requestProblem(operation: string, body: Record<string, unknown>): AwsError | null {
  return validators[operation]?.(body) ?? null;
}
