import { readFileSync } from "node:fs";
import { ConfigError, type Env } from "../config.ts";
import { errorMessage } from "../error-message.ts";

/** PEM certificate chain and private key for serving HTTPS (HTTP/2 and HTTP/1.1 chosen by ALPN). */
export interface TlsFiles {
  cert: string;
  key: string;
}

/** TLS_CERT_FILE and TLS_KEY_FILE: both or neither; read once at start so a bad path fails before listening. */
export function readTlsFiles(env: Env): TlsFiles | null {
  const certFile = env.TLS_CERT_FILE?.trim() || null;
  const keyFile = env.TLS_KEY_FILE?.trim() || null;
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) {
    throw new ConfigError(`TLS_CERT_FILE and TLS_KEY_FILE must be set together (only ${certFile ? "TLS_CERT_FILE" : "TLS_KEY_FILE"} is set).`);
  }
  return { cert: readPem("TLS_CERT_FILE", certFile), key: readPem("TLS_KEY_FILE", keyFile) };
}

function readPem(name: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file}: ${errorMessage(error)}`);
  }
  if (!text.includes("-----BEGIN ")) throw new ConfigError(`${name}: ${file} is not a PEM file.`);
  return text;
}
