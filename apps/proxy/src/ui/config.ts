import { ConfigError } from "../config.ts";

/** UI_SESSION_TTL_SECONDS: how long an admin page sign-in lasts (default 8 hours, at most 7 days). */
export function readUiConfig(env: Record<string, string | undefined>): { sessionTtlSeconds: number } {
  const raw = env.UI_SESSION_TTL_SECONDS;
  if (raw === undefined || raw === "") return { sessionTtlSeconds: 8 * 3600 };
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 7 * 86_400) throw new ConfigError(`UI_SESSION_TTL_SECONDS must be an integer from 1 to ${7 * 86_400}, got ${raw}`);
  return { sessionTtlSeconds: n };
}
