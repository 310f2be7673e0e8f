/**
 * What an operator should do when PostgreSQL at DATABASE_URL cannot be used, told by what failed: nothing
 * listening, a name that does not resolve, a host that does not answer, or the server refusing the login
 * (password, role, database, pg_hba.conf) or the migrations (privileges). PostgreSQL's SQLSTATE codes and Node's
 * socket error codes decide, not the wording of the messages.
 */
const NETWORK_ADVICE: Record<string, string> = {
  ECONNREFUSED: "Start PostgreSQL there, or set DATABASE_URL to a server that is running.",
  ENOTFOUND: "The host name does not resolve: correct the host in DATABASE_URL.",
  EAI_AGAIN: "The host name could not be resolved (DNS did not answer): check the host in DATABASE_URL and this machine's DNS.",
  ETIMEDOUT: "Nothing answered: check the host and port in DATABASE_URL, and that this machine may reach them (firewall, security group).",
  CONNECT_TIMEOUT: "Nothing answered: check the host and port in DATABASE_URL, and that this machine may reach them (firewall, security group).",
  EHOSTUNREACH: "The host cannot be reached from this machine: check the host in DATABASE_URL and the network route to it.",
  ENETUNREACH: "The host cannot be reached from this machine: check the host in DATABASE_URL and the network route to it.",
};

const SQLSTATE_ADVICE: Record<string, string> = {
  // invalid_password
  "28P01": "The server refused the password: set the user's password in DATABASE_URL (postgres://user:password@host:port/database).",
  // invalid_catalog_name
  "3D000": "Create that database (CREATE DATABASE name OWNER user), or set DATABASE_URL to a database that exists.",
  // insufficient_privilege, while migrating
  "42501": "The user may not create the gateway's tables there: make it the database's owner, or grant it CREATE on the schema.",
};

export function postgresFailureAdvice(error: unknown): string {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  const message = error instanceof Error ? error.message : "";
  if (NETWORK_ADVICE[code]) return NETWORK_ADVICE[code];
  if (SQLSTATE_ADVICE[code]) return SQLSTATE_ADVICE[code];
  // invalid_authorization_specification: an unknown role, or a login pg_hba.conf does not allow.
  if (code === "28000") {
    return /^role ".*" does not exist$/.test(message)
      ? "Create that role (CREATE ROLE name LOGIN PASSWORD '...'), or set the user in DATABASE_URL to a role that exists."
      : "The server does not allow this login: allow this user, database and address in its pg_hba.conf, or connect as a user it allows.";
  }
  return "Check DATABASE_URL and the PostgreSQL server's log.";
}
