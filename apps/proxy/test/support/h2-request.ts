import type http2 from "node:http2";

export type H2Answer = { status: number; headers: http2.IncomingHttpHeaders; text: string };

/** One request on an open session: status, headers and body text, or the stream's reset code. */
export function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string) {
  return new Promise<H2Answer | { rstCode: number }>((resolve) => {
    const stream = session.request(headers);
    let status = 0;
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let text = "";
    stream.on("response", (h) => {
      status = Number(h[":status"]);
      responseHeaders = h;
    });
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => (text += chunk));
    stream.on("error", () => {});
    stream.on("close", () => resolve(status ? { status, headers: responseHeaders, text } : { rstCode: stream.rstCode ?? -1 }));
    stream.end(body);
  });
}

/** One HTTP/2 request as a browser sends it over h2 (`:authority`, no Host header); a reset stream is an error. */
export async function h2Fetch(session: http2.ClientHttp2Session, method: string, path: string, headers: Record<string, string>, body?: string): Promise<H2Answer> {
  const answer = await h2Request(session, { ":method": method, ":path": path, ...headers }, body);
  if ("rstCode" in answer) throw new Error(`${method} ${path}: stream reset (code ${answer.rstCode})`);
  return answer;
}
