import { createAdminApp, type AdminApp } from "../admin/admin-app.ts";
import { aggregateRoutes, type AggregateRoutesOptions } from "../admin/aggregates.ts";
import { createAdminAuth } from "../admin/auth.ts";
import { healthRoutes, type ReadinessChecks } from "../admin/health.ts";
import { keyRoutes, type KeyRoutesOptions } from "../admin/keys.ts";
import { spendRoutes, type SpendRoutesOptions } from "../admin/spend.ts";
import type { KeyCache } from "../keys/key-cache.ts";
import { UI_API_PREFIX } from "../ui/admin-ui.ts";
import { createSessionAuth } from "../ui/session-auth.ts";
import type { SessionStore } from "../ui/sessions.ts";

export interface AdminApiOptions {
  masterKey: string | null;
  cache: KeyCache;
  keys: KeyRoutesOptions;
  spend: SpendRoutesOptions;
  aggregates: AggregateRoutesOptions;
}

/**
 * The admin API: `/key/*`, `/user`, `/team`, `/end_user` (and `/customer`), `/spend/*` and `/health/info`, on one
 * Elysia instance behind one authentication hook (admin/admin-app.ts) that takes a bearer master or virtual key.
 */
export function composeAdminApi(options: AdminApiOptions): AdminApp {
  return adminRoutes(createAdminApp({ authenticate: createAdminAuth(options.masterKey, options.cache) }), options);
}

/**
 * The same API under /ui/api for the admin page, whose hook takes the page's session cookie instead (and the CSRF
 * token on writes), with the health probes the page shows.
 */
export function composeUiAdminApi(options: AdminApiOptions & { sessions: SessionStore; readiness: ReadinessChecks }): AdminApp {
  const app = createAdminApp({ authenticate: createSessionAuth(options.sessions), prefix: UI_API_PREFIX });
  app.use(healthRoutes(options.readiness));
  return adminRoutes(app, options);
}

function adminRoutes(app: AdminApp, options: AdminApiOptions): AdminApp {
  keyRoutes(app, options.keys);
  spendRoutes(app, options.spend);
  aggregateRoutes(app, options.aggregates);
  return app;
}
