// The entry. First, on Bun, this may restart the process with a higher fetch concurrency: the parent then only
// supervises the child and exits with it, so nothing below runs there.
import "./runtime/bun-fetch-limit.ts";

// Imported only now, so the supervising parent never loads the gateway (nor runs its modules' import-time code).
await import("./start.ts");
