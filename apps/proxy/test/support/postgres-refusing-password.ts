import net from "node:net";

/**
 * A PostgreSQL login that fails on its password, as a server speaks it on the wire (the machine's own server trusts
 * every local login, so it cannot refuse one): the startup message is answered with a cleartext password request,
 * the password with the FATAL ErrorResponse PostgreSQL sends, SQLSTATE 28P01. The real client parses it.
 */
export async function postgresRefusingPassword(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => {
    let buffered = Buffer.alloc(0);
    let stage: "startup" | "password" = "startup";
    let user = "";
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        // The startup message has no type byte; every later message does.
        const headerLength = stage === "startup" ? 0 : 1;
        if (buffered.length < headerLength + 4) return;
        const length = buffered.readInt32BE(headerLength);
        if (buffered.length < headerLength + length) return;
        const message = buffered.subarray(0, headerLength + length);
        buffered = buffered.subarray(headerLength + length);
        if (stage === "startup") {
          if (length === 8 && message.readInt32BE(4) === 80877103) {
            socket.write("N"); // SSLRequest: no TLS here; the startup message follows
            continue;
          }
          user = startupParameter(message, "user") ?? "";
          stage = "password";
          socket.write(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 3])); // AuthenticationCleartextPassword
        } else if (message[0] === 0x70) {
          // PasswordMessage: whatever it says, it is wrong
          socket.end(fatal("28P01", `password authentication failed for user "${user}"`));
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function startupParameter(message: Buffer, name: string): string | undefined {
  const fields = message.subarray(8).toString("utf8").split("\0");
  const at = fields.indexOf(name);
  return at >= 0 ? fields[at + 1] : undefined;
}

function fatal(sqlstate: string, text: string): Buffer {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${sqlstate}\0M${text}\0\0`, "utf8");
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
