import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  /** Raw request target as received (no decoding), e.g. `/bedrock/model/a%2Fb/converse`. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface RecordingServer {
  origin: string;
  requests: RecordedRequest[];
  /** What the next requests get; defaults to 200 with a minimal Converse answer. */
  reply: (req: RecordedRequest) => Reply;
  close(): Promise<void>;
}

export const converseAnswer = {
  output: { message: { role: "assistant", content: [{ text: "hello from the fake gateway" }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 3, outputTokens: 5, totalTokens: 8 },
  metrics: { latencyMs: 1 },
};

/** A stand-in for the gateway that records what the client sent. HTTP/1.1 only, like the real proxy. */
export async function startRecordingServer(): Promise<RecordingServer> {
  const state: RecordingServer = {
    origin: "",
    requests: [],
    reply: () => ({ body: converseAnswer }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      state.requests.push(recorded);
      const reply = state.reply(recorded);
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
