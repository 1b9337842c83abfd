// The embedded backend: one SQLite file through better-sqlite3. WAL lets readers go on while one
// process writes, and the busy timeout makes a second writer wait for the first instead of
// failing. synchronous=NORMAL in WAL keeps every committed transaction when the process is killed
// (only a power loss can take the last few back).

import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';
import { SerialDatabase, conflictSql, type Database, type OnConflict, type Sql, type SqlResult, type SqlValue } from './sql.js';

const BUSY_TIMEOUT_MS = 60_000;

export interface SqliteOptions {
  /** make the file (and its directory) when it does not exist; else a missing file is an error */
  create: boolean;
}

export function openSqlite(path: string, options: SqliteOptions): Database {
  const name = `sqlite:${path}`;
  let db: BetterSqlite3.Database;
  try {
    if (options.create && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new BetterSqlite3(path, { fileMustExist: !options.create, timeout: BUSY_TIMEOUT_MS });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
  } catch (e) {
    const why = (e as Error).message;
    throw new StoreError(`store ${name}: ${!options.create && /unable to open|does not exist/i.test(why) ? 'no such store file (nothing has been recorded there yet)' : `cannot open: ${why}`}`);
  }
  const raw = new SqliteSql(db);
  return new SerialDatabase(name, {
    raw,
    // IMMEDIATE takes the write lock now (waiting up to the busy timeout), so a transaction that
    // reads first cannot fail later when it upgrades to writing
    begin: async () => void db.exec('BEGIN IMMEDIATE'),
    commit: async () => void db.exec('COMMIT'),
    rollback: async () => {
      if (db.inTransaction) db.exec('ROLLBACK');
    },
    close: async () => void db.close(),
  });
}

class SqliteSql implements Sql {
  readonly dialect = 'sqlite' as const;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(private readonly db: BetterSqlite3.Database) {}

  private statement(sql: string): BetterSqlite3.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async all<T extends Record<string, SqlResult>>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.statement(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.statement(sql).run(...params).changes;
  }

  async insertRows(table: string, columns: readonly string[], rows: readonly (readonly SqlValue[])[], onConflict: OnConflict = { type: 'skip' }): Promise<void> {
    const insert = this.statement(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ${conflictSql(table, onConflict)}`);
    for (const row of rows) insert.run(...row);
  }

  async exec(script: string): Promise<void> {
    this.db.exec(script);
  }
}
