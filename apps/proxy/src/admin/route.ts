import { type AdminCaller, requireMaster } from "./auth.ts";
import { AdminError, adminErrorResponse } from "./errors.ts";
import { unstorableQuery } from "./text.ts";

export type AdminHandler = (request: Request, caller: AdminCaller) => Promise<unknown>;

/** `self`: a virtual key may call it (about itself); `master`: only the master key. */
export type AdminAccess = "master" | "self";

/**
 * One admin endpoint: authenticate, check access, run, answer JSON. Known failures become `{"message","type"}`
 * errors; `mapError` lets a route group translate its own domain errors the same way.
 */
export function createAdminRoute(
  authenticate: (request: Request) => Promise<AdminCaller>,
  mapError: (error: unknown) => Response | null = () => null,
) {
  return (what: string, handler: AdminHandler, access: AdminAccess = "master") =>
    async ({ request }: { request: Request }) => {
      try {
        const caller = await authenticate(request);
        if (access === "master") requireMaster(caller, what);
        const badQuery = unstorableQuery(request.url);
        if (badQuery) throw new AdminError(400, `Refused: ${badQuery}.`);
        return Response.json(await handler(request, caller));
      } catch (error) {
        if (error instanceof AdminError) return adminErrorResponse(error.status, error.message);
        const mapped = mapError(error);
        if (mapped) return mapped;
        throw error;
      }
    };
}
