import type { GatewayProcess } from "./gateway-process.ts";

/**
 * The gateway's access log line (one JSON line per call, `"msg":"bedrock request"`, written a few milliseconds
 * after the answer) that `match` picks, from the process's own output.
 */
export async function accessLogLine(gateway: GatewayProcess, match: (line: any) => boolean): Promise<any> {
  for (let i = 0; i < 100; i++) {
    const found = gateway.output.filter((text) => text.includes('"msg":"bedrock request"')).map((text) => JSON.parse(text)).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no matching access log line; the last lines:\n" + gateway.output.slice(-5).join("\n"));
}
