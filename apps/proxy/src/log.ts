/**
 * Structured JSON logs on stdout, one line per event, so log shippers need no parsing rules.
 * Lines are gathered for a few milliseconds and written together: one write per request was a measurable share
 * of the gateway's CPU under load. Warnings and errors, and the exit of the process, flush at once.
 */
type Fields = Record<string, unknown>;

const FLUSH_AFTER_MS = 5;
let pending: string[] = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function flush(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (pending.length === 0) return;
  const lines = pending.join("\n");
  pending = [];
  console.log(lines);
}

/** `{"time":…,"level":…,"msg":…, ...fields}` without copying `fields` into a new object first (once per request). */
function line(level: string, msg: string, fields: Fields | undefined): string {
  const head = `{"time":"${new Date().toISOString()}","level":"${level}","msg":${JSON.stringify(msg)}`;
  const rest = fields === undefined ? "{}" : JSON.stringify(fields);
  return rest.length > 2 ? head + "," + rest.slice(1) : head + "}";
}

function write(level: string, msg: string, fields: Fields | undefined, urgent: boolean) {
  pending.push(line(level, msg, fields));
  if (urgent) flush();
  else timer ??= setTimeout(flush, FLUSH_AFTER_MS);
}

process.on("exit", flush);

export const log = {
  info: (msg: string, fields?: Fields) => write("info", msg, fields, false),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields, true),
  error: (msg: string, fields?: Fields) => write("error", msg, fields, true),
  flush,
};

/**
 * A warning said at most once per `intervalMs`: a dependency that is down fails every call, and one line every
 * few seconds says so without flooding the log.
 */
export function warnAtMostEvery(intervalMs = 10_000): (msg: string, fields?: Fields) => void {
  let warnedAt = -Infinity;
  return (msg, fields) => {
    if (Date.now() - warnedAt < intervalMs) return;
    warnedAt = Date.now();
    log.warn(msg, fields);
  };
}
