import { startEmulator } from "./src/index.ts";
const emu = await startEmulator({ port: 0 });
console.log(emu.url);
setInterval(() => { for (const r of emu.requests.splice(0)) console.log("REQ", JSON.stringify({ op: r.operation, verified: r.verified, error: r.error, session: r.session })); if (emu.streams.started) console.log("STREAMS", JSON.stringify(emu.streams)); }, 500);
