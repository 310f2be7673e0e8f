import type { Row, SqlSession, SqlValue } from "./database.ts";

/** Column → value, in the order the statement lists them. */
export type Values = Record<string, SqlValue>;

/** `INSERT INTO table (a, b) VALUES (?, ?)` for the columns of `values`, and its arguments. */
export function insertInto(table: string, values: Values): { text: string; args: SqlValue[] } {
  const columns = Object.keys(values);
  return { text: `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${marks(columns.length)})`, args: Object.values(values) };
}

/** `a = ?, b = ?` for the columns of `values`. */
export function assignments(values: Values): string {
  return Object.keys(values)
    .map((column) => `${column} = ?`)
    .join(", ");
}

/** `?, ?, ?` for `count` parameters. */
export function marks(count: number): string {
  return Array.from({ length: count }, () => "?").join(", ");
}

/** A WHERE clause built from conditions that apply only when their value is given. */
export class Where {
  private readonly conditions: string[] = [];
  readonly args: SqlValue[] = [];

  /** Adds `condition` with `args` for its `?`s. */
  and(condition: string, ...args: SqlValue[]): this {
    this.conditions.push(condition);
    this.args.push(...args);
    return this;
  }

  /** Adds `condition` (one `?`) bound to `value`, unless `value` is undefined. */
  given(condition: string, value: SqlValue | undefined): this {
    return value === undefined ? this : this.and(condition, value);
  }

  /** `column = value`, unless `value` is undefined. */
  equals(column: string, value: SqlValue | undefined): this {
    return this.given(`${column} = ?`, value);
  }

  toString(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(" AND ")}` : "";
  }
}

/** One page of `table`'s rows matching `where`, in `orderBy` order, and how many match in all. */
export async function page(
  db: SqlSession,
  table: string,
  where: Where,
  orderBy: string,
  range: { offset: number; limit: number },
): Promise<{ rows: Row[]; total: number }> {
  const [counted] = await db.all(`SELECT COUNT(*) AS n FROM ${table} ${where}`, where.args);
  const rows = await db.all(`SELECT * FROM ${table} ${where} ORDER BY ${orderBy} LIMIT ? OFFSET ?`, [...where.args, range.limit, range.offset]);
  return { rows, total: Number(counted!.n) };
}
