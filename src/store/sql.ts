// The small interface both backends implement: parameterised statements with `?` placeholders,
// batched inserts, and serialised write transactions. The store's queries are written once on top
// of it; only the few spots where the dialects differ ask for `dialect`.

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;
/** What a column can hold when it comes back: booleans from PostgreSQL, 0/1 from SQLite. */
export type SqlResult = SqlValue | boolean;

export interface Sql {
  readonly dialect: Dialect;
  all<T extends Record<string, SqlResult>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** a statement without result rows; the number of rows it changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** many rows into one table; rows that would break a unique key are skipped */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[]): Promise<void>;
  /** several statements without parameters (migrations) */
  exec(script: string): Promise<void>;
}

export interface Database extends Sql {
  /** the store as messages name it (password redacted) */
  readonly name: string;
  /** one write transaction; writers of other processes wait for it (SQLite: BEGIN IMMEDIATE) */
  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** One thing at a time on a connection: a transaction must not interleave with another caller's statements. */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export function truthy(v: SqlResult): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}
