import type { Dialect, SqlDatabase } from "./sql/database.ts";
import { assignments, insertInto, marks, page, Where } from "./sql/statements.ts";
import { keyColumns } from "./tables.ts";
import { KEY_SETTINGS, StoreConflictError, type KeyPatch, type KeyStore } from "./types.ts";

/** Virtual keys. */
export function keyMethods(db: SqlDatabase): KeyStore {
  const d = db.dialect;
  const one = async (text: string, args: (string | null)[]) => {
    const [row] = await db.all(text, args);
    return row ? keyColumns.read(d, row) : null;
  };
  const settings = (patch: KeyPatch) => keyColumns.write(d, patch, KEY_SETTINGS);
  const update = (token: string, values: ReturnType<typeof settings>) => {
    const set = { ...values, updated_at: new Date().toISOString() };
    return unique(d, async () => {
      const [row] = await db.all(`UPDATE keys SET ${assignments(set)} WHERE token = ? RETURNING *`, [...Object.values(set), token]);
      return row ? keyColumns.read(d, row) : null;
    });
  };

  return {
    async createKey(row) {
      const now = new Date().toISOString();
      const aws = { awsAccessKeyId: row.awsAccessKeyId ?? null, awsSecretCiphertext: row.awsSecretCiphertext ?? null };
      const values = { ...settings(row), ...keyColumns.write(d, { token: row.token, keyName: row.keyName, ...aws, createdAt: now, updatedAt: now }) };
      const { text, args } = insertInto("keys", values);
      return unique(d, async () => keyColumns.read(d, (await db.all(`${text} RETURNING *`, args))[0]!));
    },
    getKey: (token) => one("SELECT * FROM keys WHERE token = ?", [token]),
    getKeyByAccessKeyId: (accessKeyId) => one("SELECT * FROM keys WHERE aws_access_key_id = ?", [accessKeyId]),
    updateKey: (token, patch) => update(token, settings(patch)),
    rotateKey(token, next, patch) {
      const aws = next.awsAccessKeyId === undefined ? {} : { awsAccessKeyId: next.awsAccessKeyId, awsSecretCiphertext: next.awsSecretCiphertext ?? null };
      return update(token, { ...settings(patch), ...keyColumns.write(d, { token: next.token, keyName: next.keyName, ...aws }) });
    },
    async deleteKeys(tokens) {
      const wanted = [...new Set(tokens)];
      if (wanted.length === 0) return { ok: true, deleted: [] };
      return db
        .transaction(async (tx) => {
          const deleted = await tx.all(`DELETE FROM keys WHERE token IN (${marks(wanted.length)}) RETURNING token`, wanted);
          if (deleted.length === wanted.length) return { ok: true as const, deleted: wanted };
          // Throwing rolls the transaction back, so a partial delete never commits.
          const found = new Set(deleted.map((r) => r.token as string));
          throw new MissingKeys(wanted.filter((t) => !found.has(t)));
        })
        .catch((error) => {
          if (error instanceof MissingKeys) return { ok: false as const, missing: error.missing };
          throw error;
        });
    },
    async listKeys(query) {
      const where = new Where().equals("user_id", query.userId).equals("team_id", query.teamId).equals("key_alias", query.keyAlias);
      const { rows, total } = await page(db, "keys", where, "created_at DESC, token", query);
      return { rows: rows.map((r) => keyColumns.read(d, r)), total };
    },
  };
}

class MissingKeys extends Error {
  constructor(readonly missing: string[]) {
    super("unknown keys");
  }
}

/** Runs a write, turning a unique-constraint violation into a StoreConflictError that names the API field. */
async function unique<T>(d: Dialect, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const violated = d.uniqueViolation(error);
    if (violated === null) throw error;
    throw new StoreConflictError(violated.includes("key_alias") ? "key_alias" : violated.includes("aws_access_key_id") ? "aws_access_key_id" : "token");
  }
}
