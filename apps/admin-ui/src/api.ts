import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "@bedrock-gateway/api-types";

/**
 * The page's two typed clients over the generated spec: `session` for /ui/session (sign-in, sign-out) and `admin`
 * for the admin API, reached under /ui/api with the session cookie. The master key never stays in the page: it is
 * sent once to /ui/session and exchanged for an HttpOnly cookie. Writes carry the session's CSRF token.
 */
let csrfToken: string | null = null;
let onSignedOut: () => void = () => {};

export function setSession(token: string | null): void {
  csrfToken = token;
}

export function whenSignedOut(callback: () => void): void {
  onSignedOut = callback;
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== "GET" && csrfToken) request.headers.set("x-csrf-token", csrfToken);
    return request;
  },
  onResponse({ response, request }) {
    // An admin call refused for want of a session shows the sign-in form again (/ui/session answers for itself).
    if (response.status === 401 && new URL(request.url).pathname.startsWith("/ui/api/")) {
      csrfToken = null;
      onSignedOut();
    }
    return response;
  },
};

const fetchSameOrigin = (request: Request) => globalThis.fetch(request, { credentials: "same-origin" });

export const session = createClient<paths>({ baseUrl: location.origin, fetch: fetchSameOrigin });
export const admin = createClient<paths>({ baseUrl: `${location.origin}/ui/api`, fetch: fetchSameOrigin });
session.use(sessionMiddleware);
admin.use(sessionMiddleware);

/** The admin API's `{"message"}` error, or a fallback. */
export function errorText(error: unknown, fallback = "The request failed."): string {
  if (error && typeof error === "object" && "message" in error && typeof (error as { message: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  return fallback;
}
