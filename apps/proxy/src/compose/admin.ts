import { createAdminApp } from "../admin/admin-app.ts";
import { aggregateRoutes, type AggregateRoutesOptions } from "../admin/aggregates.ts";
import { keyRoutes, type KeyRoutesOptions } from "../admin/keys.ts";
import { spendRoutes, type SpendRoutesOptions } from "../admin/spend.ts";
import type { KeyCache } from "../keys/key-cache.ts";

/**
 * The admin API: `/key/*`, `/user`, `/team`, `/end_user` (and `/customer`), `/spend/*` and `/health/info`, all on
 * one Elysia instance behind one authentication hook (admin/admin-app.ts).
 */
export function composeAdminApi(options: {
  masterKey: string | null;
  cache: KeyCache;
  keys: KeyRoutesOptions;
  spend: SpendRoutesOptions;
  aggregates: AggregateRoutesOptions;
}) {
  const app = createAdminApp({ masterKey: options.masterKey, cache: options.cache });
  keyRoutes(app, options.keys);
  spendRoutes(app, options.spend);
  aggregateRoutes(app, options.aggregates);
  return app;
}
