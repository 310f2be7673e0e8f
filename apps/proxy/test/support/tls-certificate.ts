import { execFileSync } from "node:child_process";
import path from "node:path";
import { scratchDir } from "./scratch-dir.ts";

/** A self-signed certificate for 127.0.0.1, as an operator would make one for a test deployment (PEM file paths). */
export function selfSignedCertificate(): { cert: string; key: string } {
  const dir = scratchDir("gateway-tls-");
  const cert = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { cert, key };
}
