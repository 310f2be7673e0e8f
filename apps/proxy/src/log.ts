/** Structured JSON logs on stdout, one line per event, so log shippers need no parsing rules. */
type Fields = Record<string, unknown>;

function write(level: string, msg: string, fields?: Fields) {
  console.log(JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }));
}

export const log = {
  info: (msg: string, fields?: Fields) => write("info", msg, fields),
  warn: (msg: string, fields?: Fields) => write("warn", msg, fields),
  error: (msg: string, fields?: Fields) => write("error", msg, fields),
};
