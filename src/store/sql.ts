// The small interface both backends implement: parameterised statements with `?` placeholders,
// batched inserts, and serialised write transactions. The store's queries are written once on top
// of it; only the few spots where the dialects differ ask for `dialect`.

export type Dialect = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;
/** What a column can hold when it comes back: booleans from PostgreSQL, 0/1 from SQLite. */
export type SqlResult = SqlValue | boolean;

/** What a row whose unique key is taken does: nothing (it is skipped), or add its count to the row there. */
export type OnConflict = { type: 'skip' } | { type: 'add'; key: readonly string[]; column: string };

export function conflictSql(table: string, c: OnConflict): string {
  return c.type === 'skip' ? 'ON CONFLICT DO NOTHING' : `ON CONFLICT (${c.key.join(', ')}) DO UPDATE SET ${c.column} = ${table}.${c.column} + excluded.${c.column}`;
}

export interface Sql {
  readonly dialect: Dialect;
  all<T extends Record<string, SqlResult>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** a statement without result rows; the number of rows it changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** many rows into one table; rows that would break a unique key are skipped unless `onConflict` says otherwise */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflict?: OnConflict): Promise<void>;
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

/** How a backend begins, ends and closes what it runs statements on. */
export interface Connection {
  /** the statements, run as they come */
  readonly raw: Sql;
  begin(): Promise<void>;
  commit(): Promise<void>;
  /** undo an open transaction (after a failure; it must not throw) */
  rollback(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A connection used one thing at a time: a transaction must not interleave with another caller's
 * statements, so every statement and transaction waits for the one before it.
 */
export class SerialDatabase implements Database {
  readonly dialect: Dialect;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly name: string, private readonly conn: Connection) {
    this.dialect = conn.raw.dialect;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }

  all<T extends Record<string, SqlResult>>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.serial(() => this.conn.raw.all<T>(sql, params));
  }

  run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.serial(() => this.conn.raw.run(sql, params));
  }

  insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflict?: OnConflict): Promise<void> {
    return this.transaction((tx) => tx.insertRows(table, columns, rows, onConflict));
  }

  exec(script: string): Promise<void> {
    return this.serial(() => this.conn.raw.exec(script));
  }

  transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.serial(async () => {
      await this.conn.begin();
      try {
        const result = await work(this.conn.raw);
        await this.conn.commit();
        return result;
      } catch (e) {
        await this.conn.rollback();
        throw e;
      }
    });
  }

  close(): Promise<void> {
    return this.serial(() => this.conn.close());
  }
}

export function truthy(v: SqlResult): boolean {
  return v === true || v === 1 || v === '1' || v === 't';
}
