/** Admin API errors: `{"message", "type"}` as the spec's Error schema (and LiteLLM) answer them. */
export class AdminError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404,
    message: string,
  ) {
    super(message);
  }
}

/** A request the admin API refuses with 400; `message` says exactly what is wrong. */
export class BadRequest extends AdminError {
  constructor(message: string) {
    super(400, message);
  }
}

const types = { 400: "invalid_request_error", 401: "auth_error", 403: "auth_error", 404: "not_found_error" } as const;

export function adminErrorResponse(status: keyof typeof types, message: string): Response {
  return Response.json({ message, type: types[status] }, { status });
}
