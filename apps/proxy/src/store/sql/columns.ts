import type { Codec, Dialect, Row, SqlValue } from "./database.ts";
import type { Values } from "./statements.ts";

/** How a column's values are kept: as they are (text, numbers), or through the dialect's codec for the kind. */
export type ColumnKind = "text" | "number" | "json" | "bool" | "time";

/** Each field of a record → its column's kind; the column is the field's name in snake_case (`keyAlias` → `key_alias`). */
export type ColumnKinds<T> = { readonly [F in keyof T]-?: ColumnKind };

/** A table's rows as records: one map, read and written the same way on every dialect. */
export class Columns<T> {
  private readonly entries: [field: keyof T, column: string, kind: ColumnKind][];

  constructor(kinds: ColumnKinds<T>) {
    const fields = Object.entries(kinds as Record<string, ColumnKind>);
    this.entries = fields.map(([field, kind]) => [field as keyof T, field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), kind]);
  }

  /** Every column, in the map's order. */
  get names(): string[] {
    return this.entries.map(([, column]) => column);
  }

  /** A stored row → the record. */
  read(d: Dialect, row: Row): T {
    const record: Partial<Record<keyof T, unknown>> = {};
    for (const [field, column, kind] of this.entries) {
      const stored = row[column];
      record[field] = stored === null || stored === undefined ? null : kind === "text" ? stored : kind === "number" ? Number(stored) : d.codecs[kind].read(stored);
    }
    return record as T;
  }

  /** Every column's stored value for `record`, in the map's order (undefined is stored as null), added to `into`. */
  values(d: Dialect, record: T, into: SqlValue[] = []): SqlValue[] {
    for (const [field, , kind] of this.entries) into.push(stored(d, kind, record[field]));
    return into;
  }

  /** The fields of `record` that are not undefined (of `only`, when given) → their columns' stored values. */
  write(d: Dialect, record: Partial<T>, only?: readonly (keyof T)[]): Values {
    const values: Values = {};
    for (const [field, column, kind] of this.entries) {
      const value = record[field];
      if (value !== undefined && (!only || only.includes(field))) values[column] = stored(d, kind, value);
    }
    return values;
  }
}

function stored(d: Dialect, kind: ColumnKind, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  return kind === "text" || kind === "number" ? (value as SqlValue) : (d.codecs[kind] as Codec<unknown>).write(value);
}
